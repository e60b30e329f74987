export {
  mintToken,
  parseToken,
  tokenSecretHash,
  tokenSecretMatches,
  isTokenId,
  type MintedToken,
} from './token-format.js';
export {
  hashSecret,
  newBearerSecret,
  parseBearerSecret,
  secretMatches,
  type BearerSecret,
} from './bearer-secret.js';
export { tokenRecordSchema, tokenNameSchema, type TokenRecord } from './token-record.js';
export { TOKENS_STREAM, tokenKey, usedKey, tokensBucket } from './token-bucket.js';
export { TokenCache, type CacheLogger } from './token-cache.js';
export {
  OperatorTokens,
  TokenStoreUnavailableError,
  type Authentication,
  type Operator,
  type OperatorTokensOptions,
  type RefusalReason,
} from './operator-tokens.js';
export { TokenIssuer, TokenNotFoundError, type NewToken } from './token-issuer.js';
export { actorOf, operatorOf, setOperator } from './request-operator.js';
