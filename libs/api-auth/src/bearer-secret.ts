import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The bearer secrets Muster hands out: `<prefix>_<id>_<secret>` — an operator API token
 * (`mst`), an agent bootstrap token (`mbt`), an agent credential (`mac`). The id (hex) finds the
 * record; the secret (256 random bits, base64url) is stored only as its SHA-256, which is enough
 * for a secret that cannot be guessed (there is no dictionary to try), and compared in constant
 * time.
 */
export interface BearerSecret {
  readonly id: string;
  readonly secret: string;
}

const SECRET = /^[A-Za-z0-9_-]{43}$/;

/** A new secret with an id of `idBytes` random bytes, and its whole text. */
export function newBearerSecret(prefix: string, idBytes: number): BearerSecret & { readonly text: string } {
  const id = randomBytes(idBytes).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { id, secret, text: `${prefix}_${id}_${secret}` };
}

/** The id and secret of a well-formed secret of this kind and id length, or undefined. */
export function parseBearerSecret(prefix: string, idBytes: number, text: string): BearerSecret | undefined {
  if (!text.startsWith(`${prefix}_`)) return undefined;
  const rest = text.slice(prefix.length + 1);
  const id = rest.slice(0, idBytes * 2);
  const secret = rest.slice(idBytes * 2 + 1);
  if (rest[idBytes * 2] !== '_' || !/^[0-9a-f]+$/.test(id) || id.length !== idBytes * 2) return undefined;
  return SECRET.test(secret) ? { id, secret } : undefined;
}

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** Compares the secret's hash with the stored one in constant time. */
export function secretMatches(secret: string, storedHash: Uint8Array): boolean {
  const hash = hashSecret(secret);
  return storedHash.length === hash.length && timingSafeEqual(hash, storedHash);
}
