import {
  SigningKeyError,
  signingKeyFromSeed,
  publicKeyBytes,
  type SigningKey,
  type TrustedKey,
} from './signing-key.js';
import { createPublicKey } from 'node:crypto';

/**
 * The keys a service signs with, parsed from configuration:
 * `<keyId>:<base64 seed>[,<keyId>:<base64 seed>…]`. The first key signs; every key is trusted,
 * so rotation is: add the new key second, let agents learn it, move it first, later drop the old.
 */
export interface KeyRing {
  readonly signing: SigningKey;
  /** Every key, in the configured order (a release document is signed by all of them). */
  readonly keys: readonly SigningKey[];
  readonly trusted: readonly TrustedKey[];
  /** The trusted public keys by id, as EnrollResponse.command_keys carries them. */
  publicKeys(): Record<string, Uint8Array>;
}

export function parseKeyRing(text: string): KeyRing {
  const entries = text
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e.length > 0);
  if (entries.length === 0)
    throw new SigningKeyError('no command-signing key given: expected <keyId>:<base64 seed>[,…]');
  const keys = entries.map((entry) => {
    const colon = entry.indexOf(':');
    if (colon <= 0)
      throw new SigningKeyError(`signing key entry must be <keyId>:<base64 seed>, got one without ':'`);
    const keyId = entry.slice(0, colon);
    const seed = Buffer.from(entry.slice(colon + 1), 'base64');
    return signingKeyFromSeed(keyId, seed);
  });
  const ids = new Set<string>();
  for (const k of keys) {
    if (ids.has(k.keyId)) throw new SigningKeyError(`signing key id ${k.keyId} is given twice`);
    ids.add(k.keyId);
  }
  return keyRing(keys);
}

export function keyRing(keys: readonly SigningKey[]): KeyRing {
  const [signing] = keys;
  if (!signing) throw new SigningKeyError('a key ring needs at least one key');
  const trusted = keys.map((k) => ({ keyId: k.keyId, publicKey: createPublicKey(k.privateKey) }));
  return {
    signing,
    keys: [...keys],
    trusted,
    publicKeys: () => Object.fromEntries(trusted.map((k) => [k.keyId, publicKeyBytes(k)])),
  };
}

/** One `<keyId>:<base64 seed>` entry of a key ring, as configuration takes it. */
export function keyRingEntry(keyId: string, seed: Uint8Array): string {
  signingKeyFromSeed(keyId, seed); // refuses a bad id or seed
  return `${keyId}:${Buffer.from(seed).toString('base64')}`;
}
