import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';

/** An Ed25519 key with the id commands name it by. */
export interface SigningKey {
  readonly keyId: string;
  readonly privateKey: KeyObject;
}

/** A public key an agent trusts, by id. */
export interface TrustedKey {
  readonly keyId: string;
  readonly publicKey: KeyObject;
}

const KEY_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
// DER prefixes of the PKCS#8 and SPKI encodings of an Ed25519 key: raw 32 bytes follow.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export class SigningKeyError extends Error {
  override readonly name = 'SigningKeyError';
}

function checkKeyId(keyId: string): void {
  if (!KEY_ID.test(keyId)) {
    throw new SigningKeyError(
      `key id ${JSON.stringify(keyId)} must be 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit`,
    );
  }
}

/** A signing key from its 32-byte Ed25519 seed. */
export function signingKeyFromSeed(keyId: string, seed: Uint8Array): SigningKey {
  checkKeyId(keyId);
  if (seed.length !== 32)
    throw new SigningKeyError(`key ${keyId}: an Ed25519 seed is 32 bytes, not ${seed.length}`);
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  return { keyId, privateKey };
}

/** A trusted key from its 32 raw public-key bytes. */
export function trustedKeyFromBytes(keyId: string, raw: Uint8Array): TrustedKey {
  checkKeyId(keyId);
  if (raw.length !== 32)
    throw new SigningKeyError(`key ${keyId}: an Ed25519 public key is 32 bytes, not ${raw.length}`);
  return {
    keyId,
    publicKey: createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' }),
  };
}

/** The 32 raw bytes of a key's public half, as agents receive it. */
export function publicKeyBytes(key: SigningKey | TrustedKey): Uint8Array {
  const publicKey = 'privateKey' in key ? createPublicKey(key.privateKey) : key.publicKey;
  return new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length));
}

/** A new random key and its seed (for `muster` key generation and for tests). */
export function generateSigningKey(keyId: string): { key: SigningKey; seed: Uint8Array } {
  checkKeyId(keyId);
  const { privateKey } = generateKeyPairSync('ed25519');
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  return { key: { keyId, privateKey }, seed: new Uint8Array(der.subarray(PKCS8_PREFIX.length)) };
}
