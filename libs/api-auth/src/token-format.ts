import { hashSecret, newBearerSecret, parseBearerSecret, secretMatches } from './bearer-secret.js';

/** `mst_<tokenId>_<secret>`: a 64-bit id finds the record, the secret proves the holder. */
const PREFIX = 'mst';
const ID_BYTES = 8;
const TOKEN_ID = /^[0-9a-f]{16}$/;

export interface MintedToken {
  readonly tokenId: string;
  /** The whole token, shown once to its owner and never stored. */
  readonly token: string;
  /** SHA-256 of the secret (hex), what the bucket keeps. */
  readonly secretHash: string;
}

export interface ParsedToken {
  readonly tokenId: string;
  readonly secret: string;
}

export function mintToken(): MintedToken {
  const { id, secret, text } = newBearerSecret(PREFIX, ID_BYTES);
  return { tokenId: id, token: text, secretHash: tokenSecretHash(secret) };
}

/** The id and secret of a well-formed token, or undefined. */
export function parseToken(token: string): ParsedToken | undefined {
  const parsed = parseBearerSecret(PREFIX, ID_BYTES, token);
  return parsed && { tokenId: parsed.id, secret: parsed.secret };
}

export function isTokenId(value: string): boolean {
  return TOKEN_ID.test(value);
}

/** The hex SHA-256 of a token's secret, as the bucket keeps it. */
export function tokenSecretHash(secret: string): string {
  return hashSecret(secret).toString('hex');
}

/** Compares the secret's hash with the stored hex one in constant time. */
export function tokenSecretMatches(secret: string, storedHash: string): boolean {
  return /^[0-9a-f]{64}$/.test(storedHash) && secretMatches(secret, Buffer.from(storedHash, 'hex'));
}
