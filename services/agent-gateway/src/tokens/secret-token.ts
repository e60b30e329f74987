import { newBearerSecret, parseBearerSecret, type BearerSecret } from '@muster/api-auth';

export { hashSecret, secretMatches } from '@muster/api-auth';

/** agent-gateway's bearer secrets: a bootstrap token (`mbt`) or an agent credential (`mac`). */
export type TokenPrefix = 'mbt' | 'mac';
export type SecretToken = BearerSecret;

/** An 80-bit id: unique among every token and credential the gateway ever issues. */
const ID_BYTES = 10;

export function newSecretToken(prefix: TokenPrefix): SecretToken & { readonly text: string } {
  return newBearerSecret(prefix, ID_BYTES);
}

/** The id and secret of a token of this kind, or undefined for anything else. */
export function parseSecretToken(prefix: TokenPrefix, text: string): SecretToken | undefined {
  return parseBearerSecret(prefix, ID_BYTES, text);
}
