import { createPublicKey, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { agentKeyFromSeed, generateAgentKey } from './agent-key.js';
import {
  connectProofBytes,
  connectProofHeader,
  enrollProof,
  enrollProofBytes,
  renewProof,
  renewProofBytes,
} from './proofs.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const ascii = (s: string) => Buffer.from(s, 'utf8').toString('hex');

describe('proof byte strings (the contract’s exact bytes)', () => {
  it('enroll: "muster.agent.enroll.v1" ‖ 0x00 ‖ token', () => {
    expect(hex(enrollProofBytes('mbt_abc'))).toBe(`${ascii('muster.agent.enroll.v1')}00${ascii('mbt_abc')}`);
  });

  it('renew: "muster.agent.renew.v1" ‖ 0x00 ‖ credential', () => {
    expect(hex(renewProofBytes('cred'))).toBe(`${ascii('muster.agent.renew.v1')}00${ascii('cred')}`);
  });

  it('connect: "muster.agent.connect.v1" ‖ 0x00 ‖ "<unix seconds>" ‖ 0x00 ‖ credential', () => {
    expect(hex(connectProofBytes(1_700_000_000, 'cred'))).toBe(
      `${ascii('muster.agent.connect.v1')}00${ascii('1700000000')}00${ascii('cred')}`,
    );
  });
});

describe('proof signatures', () => {
  const key = generateAgentKey();

  it('verify with the agent’s public key over exactly those bytes, and over nothing else', () => {
    const proof = enrollProof(key, 'mbt_token_0123456789');
    expect(proof).toHaveLength(64);
    const publicKey = createPublicKey(key.privateKey);
    expect(verify(null, enrollProofBytes('mbt_token_0123456789'), publicKey, proof)).toBe(true);
    // The same signature is no renew proof of the same string: the domain prefix differs.
    expect(verify(null, renewProofBytes('mbt_token_0123456789'), publicKey, proof)).toBe(false);
    expect(verify(null, renewProofBytes('c'), publicKey, renewProof(key, 'c'))).toBe(true);
  });

  it('X-Muster-Proof is "<seconds>.<base64url signature>" over the connect bytes at that second', () => {
    const now = new Date('2026-11-30T09:00:00.900Z');
    const header = connectProofHeader(key, 'credential-xyz', now);
    const [seconds, sig] = header.split('.');
    expect(seconds).toBe(String(Math.floor(now.getTime() / 1000)));
    expect(sig).toMatch(/^[A-Za-z0-9_-]+$/);
    const signature = Buffer.from(sig!, 'base64url');
    expect(signature).toHaveLength(64);
    expect(
      verify(null, connectProofBytes(Number(seconds), 'credential-xyz'), key.privateKey, signature),
    ).toBe(true);
    expect(
      verify(null, connectProofBytes(Number(seconds) + 1, 'credential-xyz'), key.privateKey, signature),
    ).toBe(false);
  });

  it('a key reloaded from its seed is the same key', () => {
    const again = agentKeyFromSeed(key.seed);
    expect(hex(again.publicKey)).toBe(hex(key.publicKey));
    expect(key.publicKey).toHaveLength(32);
    expect(() => agentKeyFromSeed(new Uint8Array(31))).toThrow(/32 bytes/);
  });
});
