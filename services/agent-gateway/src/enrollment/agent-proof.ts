import { createPublicKey, verify, type KeyObject } from 'node:crypto';

/**
 * The Ed25519 proofs an agent makes with its key (proto/muster/agent/v1/enrollment.proto and
 * protocol.proto): a signature over "<domain>" ‖ 0x00 ‖ the text, so that a proof for one
 * purpose is never valid for another.
 */
export type ProofDomain = 'muster.agent.enroll.v1' | 'muster.agent.renew.v1' | 'muster.agent.connect.v1';

/** The DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows it. */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export function agentPublicKey(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new RangeError('an Ed25519 public key is 32 bytes');
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

export function proofBytes(domain: ProofDomain, ...parts: string[]): Buffer {
  return Buffer.concat(
    [domain, ...parts].flatMap((p, i) => (i === 0 ? [Buffer.from(p)] : [Buffer.from([0]), Buffer.from(p)])),
  );
}

export function proofVerifies(
  publicKey: Uint8Array,
  signature: Uint8Array,
  domain: ProofDomain,
  ...parts: string[]
): boolean {
  if (signature.length !== 64) return false;
  try {
    return verify(null, proofBytes(domain, ...parts), agentPublicKey(publicKey), signature);
  } catch {
    return false;
  }
}

/** How far the time in a connection proof may be from the gateway's clock. */
export const CONNECT_CLOCK_SKEW_SECONDS = 300;

export type ConnectProofCheck = { ok: true } | { ok: false; reason: string };

/**
 * `X-Muster-Proof: <unix seconds>.<base64url signature>`, the signature over
 * "muster.agent.connect.v1" ‖ 0x00 ‖ "<unix seconds>" ‖ 0x00 ‖ the credential.
 */
export function checkConnectProof(
  header: string | undefined,
  credential: string,
  publicKey: Uint8Array,
  now: Date = new Date(),
): ConnectProofCheck {
  const match = /^(\d{1,12})\.([A-Za-z0-9_-]{86})$/.exec(header ?? '');
  if (!match) return { ok: false, reason: 'X-Muster-Proof must be <unix seconds>.<base64url signature>' };
  const [, seconds, signature] = match as unknown as [string, string, string];
  if (Math.abs(Number(seconds) - now.getTime() / 1000) > CONNECT_CLOCK_SKEW_SECONDS) {
    return { ok: false, reason: 'X-Muster-Proof time is more than five minutes from the gateway clock' };
  }
  return proofVerifies(
    publicKey,
    Buffer.from(signature, 'base64url'),
    'muster.agent.connect.v1',
    seconds,
    credential,
  )
    ? { ok: true }
    : { ok: false, reason: 'X-Muster-Proof signature does not verify with the agent key' };
}
