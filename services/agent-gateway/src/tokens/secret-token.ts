import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The bearer secrets agent-gateway hands out: `<prefix>_<id>_<secret>` — a bootstrap token
 * (`mbt`) or an agent credential (`mac`). The id finds the row; the secret (256 random bits)
 * is stored only as its SHA-256, which is enough for a secret that cannot be guessed (no
 * dictionary to try), and compared in constant time.
 */
export type TokenPrefix = 'mbt' | 'mac';

export interface SecretToken {
  readonly id: string;
  readonly secret: string;
}

const ID = /^[0-9a-f]{20}$/;
const SECRET = /^[A-Za-z0-9_-]{43}$/;

export function newSecretToken(prefix: TokenPrefix): SecretToken & { readonly text: string } {
  const id = randomBytes(10).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { id, secret, text: `${prefix}_${id}_${secret}` };
}

/** The id and secret of a token of this kind, or undefined for anything else. */
export function parseSecretToken(prefix: TokenPrefix, text: string): SecretToken | undefined {
  if (!text.startsWith(`${prefix}_`)) return undefined;
  const rest = text.slice(prefix.length + 1);
  const cut = rest.indexOf('_');
  if (cut < 0) return undefined;
  const id = rest.slice(0, cut);
  const secret = rest.slice(cut + 1);
  return ID.test(id) && SECRET.test(secret) ? { id, secret } : undefined;
}

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

export function secretMatches(secret: string, storedHash: Uint8Array): boolean {
  const hash = hashSecret(secret);
  return storedHash.length === hash.length && timingSafeEqual(hash, storedHash);
}
