import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

// DER prefixes of the PKCS#8 and SPKI encodings of an Ed25519 key: the raw 32 bytes follow.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** The agent's own Ed25519 key: generated once per installation, never leaves the machine. */
export interface AgentKey {
  readonly privateKey: KeyObject;
  /** The 32 raw public-key bytes EnrollRequest.public_key carries. */
  readonly publicKey: Uint8Array;
  /** The 32-byte seed, what an agent keeps on disk to load the same key after a restart. */
  readonly seed: Uint8Array;
}

export class AgentKeyError extends Error {
  override readonly name = 'AgentKeyError';
}

export function generateAgentKey(): AgentKey {
  const { privateKey } = generateKeyPairSync('ed25519');
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  return agentKeyFromSeed(new Uint8Array(der.subarray(PKCS8_PREFIX.length)));
}

export function agentKeyFromSeed(seed: Uint8Array): AgentKey {
  if (seed.length !== 32) throw new AgentKeyError(`an Ed25519 seed is 32 bytes, not ${seed.length}`);
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return {
    privateKey,
    publicKey: new Uint8Array(spki.subarray(SPKI_PREFIX.length)),
    seed: new Uint8Array(seed),
  };
}

/** Ed25519 (pure, RFC 8032) signature of `message` by the agent's key: 64 bytes. */
export function signWith(key: AgentKey, message: Uint8Array): Uint8Array {
  return new Uint8Array(sign(null, message, key.privateKey));
}
