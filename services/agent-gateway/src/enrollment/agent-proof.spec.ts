import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkConnectProof, proofBytes, proofVerifies } from './agent-proof.js';

function agentKey() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(12));
  return { privateKey, raw };
}

describe('agent proofs', () => {
  it('are the domain, a zero byte and each part', () => {
    expect(proofBytes('muster.agent.enroll.v1', 'tok').toString()).toBe('muster.agent.enroll.v1\0tok');
    expect(proofBytes('muster.agent.connect.v1', '12', 'c').toString()).toBe(
      'muster.agent.connect.v1\u000012\0c',
    );
  });

  it('verify only with the signing key and for the domain signed', () => {
    const key = agentKey();
    const other = agentKey();
    const sig = sign(null, proofBytes('muster.agent.enroll.v1', 'mbt_x'), key.privateKey);
    expect(proofVerifies(key.raw, sig, 'muster.agent.enroll.v1', 'mbt_x')).toBe(true);
    expect(proofVerifies(other.raw, sig, 'muster.agent.enroll.v1', 'mbt_x')).toBe(false);
    expect(proofVerifies(key.raw, sig, 'muster.agent.renew.v1', 'mbt_x')).toBe(false);
    expect(proofVerifies(key.raw, sig, 'muster.agent.enroll.v1', 'mbt_y')).toBe(false);
    expect(proofVerifies(key.raw, sig.subarray(1), 'muster.agent.enroll.v1', 'mbt_x')).toBe(false);
  });

  it('accept a connection proof within five minutes of the clock and nothing else', () => {
    const key = agentKey();
    const now = new Date('2026-11-30T10:00:00Z');
    const header = (at: number, credential = 'mac_1') =>
      `${at}.${sign(null, proofBytes('muster.agent.connect.v1', String(at), credential), key.privateKey).toString('base64url')}`;
    const t = now.getTime() / 1000;
    expect(checkConnectProof(header(t), 'mac_1', key.raw, now)).toEqual({ ok: true });
    expect(checkConnectProof(header(t - 299), 'mac_1', key.raw, now)).toEqual({ ok: true });
    expect(checkConnectProof(header(t - 301), 'mac_1', key.raw, now)).toMatchObject({ ok: false });
    expect(checkConnectProof(header(t + 301), 'mac_1', key.raw, now)).toMatchObject({ ok: false });
    expect(checkConnectProof(header(t, 'mac_2'), 'mac_1', key.raw, now)).toMatchObject({ ok: false });
    expect(checkConnectProof(undefined, 'mac_1', key.raw, now)).toMatchObject({ ok: false });
    expect(checkConnectProof('abc', 'mac_1', key.raw, now)).toMatchObject({ ok: false });
  });
});
