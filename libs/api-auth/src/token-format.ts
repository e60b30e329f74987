import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** `mst_<tokenId>_<secret>`: the id finds the record, the secret proves the holder. */
const TOKEN = /^mst_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
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

/** A new token: a 64-bit id and a 256-bit secret from the system's CSPRNG. */
export function mintToken(): MintedToken {
  const tokenId = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { tokenId, token: `mst_${tokenId}_${secret}`, secretHash: hashSecret(secret) };
}

/** The id and secret of a well-formed token, or undefined. */
export function parseToken(token: string): ParsedToken | undefined {
  const match = TOKEN.exec(token);
  return match ? { tokenId: match[1]!, secret: match[2]! } : undefined;
}

export function isTokenId(value: string): boolean {
  return TOKEN_ID.test(value);
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Compares the secret's hash with the stored one in constant time. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const actual = Buffer.from(hashSecret(secret), 'hex');
  const expected = Buffer.from(storedHash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
