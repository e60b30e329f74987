import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { describe, expect, it } from 'vitest';
import { AgentCommandSchema } from '@muster/contracts';
import { CommandRefusedError, signCommand, verifyCommand } from './command-signature.js';
import { keyRing, parseKeyRing } from './key-ring.js';
import { generateSigningKey, publicKeyBytes, trustedKeyFromBytes } from './signing-key.js';

const now = new Date('2026-11-30T10:00:00Z');
const command = create(AgentCommandSchema, {
  commandId: '6f1c1f7e-1b7a-4c55-9a55-1f0e3c1b2a10',
  agentId: 'agent-1',
  issuedAt: timestampFromDate(new Date(now.getTime() - 1000)),
  expiresAt: timestampFromDate(new Date(now.getTime() + 60_000)),
  issuedBy: 'operator:alice',
  command: { case: 'reboot', value: {} },
});

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof CommandRefusedError) return err.refusal;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('signed commands', () => {
  const { key, seed } = generateSigningKey('scheduler-1');
  const ring = keyRing([key]);

  it('verifies a command signed by a trusted key and returns it', () => {
    const signed = signCommand(command, ring.signing);
    expect(verifyCommand(signed, ring.trusted, 'agent-1', now).commandId).toBe(command.commandId);
  });

  it('verifies with the public key alone, as an agent holds it', () => {
    const signed = signCommand(command, key);
    const agentSide = [trustedKeyFromBytes('scheduler-1', publicKeyBytes(key))];
    expect(verifyCommand(signed, agentSide, 'agent-1', now).agentId).toBe('agent-1');
  });

  it('refuses one changed byte of the command', () => {
    const signed = signCommand(command, key);
    signed.command[signed.command.length - 1]! ^= 1;
    expect(refusal(() => verifyCommand(signed, ring.trusted, 'agent-1', now))).toBe('bad-signature');
  });

  it('refuses a missing or truncated signature', () => {
    const signed = signCommand(command, key);
    signed.signature = new Uint8Array(0);
    expect(refusal(() => verifyCommand(signed, ring.trusted, 'agent-1', now))).toBe('bad-signature');
  });

  it('refuses a key id the agent does not trust, and a right id with another key', () => {
    const signed = signCommand(command, key);
    expect(refusal(() => verifyCommand({ ...signed, keyId: 'other' }, ring.trusted, 'agent-1', now))).toBe(
      'unknown-key',
    );
    const impostor = generateSigningKey('scheduler-1').key;
    expect(refusal(() => verifyCommand(signCommand(command, impostor), ring.trusted, 'agent-1', now))).toBe(
      'bad-signature',
    );
  });

  it('refuses a command for another agent and one past its expiry', () => {
    const signed = signCommand(command, key);
    expect(refusal(() => verifyCommand(signed, ring.trusted, 'agent-2', now))).toBe('other-agent');
    expect(
      refusal(() => verifyCommand(signed, ring.trusted, 'agent-1', new Date(now.getTime() + 60_000))),
    ).toBe('expired');
  });

  it('rotates: a ring signs with its first key and trusts all of them', () => {
    const next = generateSigningKey('scheduler-2');
    const text = `scheduler-2:${Buffer.from(next.seed).toString('base64')},scheduler-1:${Buffer.from(seed).toString('base64')}`;
    const rotated = parseKeyRing(text);
    expect(rotated.signing.keyId).toBe('scheduler-2');
    expect(rotated.keys.map((k) => k.keyId)).toEqual(['scheduler-2', 'scheduler-1']);
    expect(Object.keys(rotated.publicKeys())).toEqual(['scheduler-2', 'scheduler-1']);
    const oldSigned = signCommand(command, key);
    expect(verifyCommand(oldSigned, rotated.trusted, 'agent-1', now).commandId).toBe(command.commandId);
    expect(signCommand(command, rotated.signing).keyId).toBe('scheduler-2');
  });

  it('refuses a key ring with a bad entry, naming it', () => {
    expect(() => parseKeyRing('')).toThrow(/no command-signing key/);
    expect(() => parseKeyRing('k1:AAAA')).toThrow(/k1: an Ed25519 seed is 32 bytes, not 3/);
    expect(() => parseKeyRing('nocolon')).toThrow(/<keyId>:<base64 seed>/);
    const { seed: s } = generateSigningKey('x');
    const b = Buffer.from(s).toString('base64');
    expect(() => parseKeyRing(`a:${b},a:${b}`)).toThrow(/given twice/);
  });
});
