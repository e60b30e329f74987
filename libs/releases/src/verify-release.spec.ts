import { describe, expect, it } from 'vitest';
import { generateSigningKey, keyRing, publicKeyBytes, trustedKeyFromBytes } from '@muster/command-signing';
import { exampleSigned, NOW } from '../test/release-fixture.js';
import type { ReleaseDocument, SignedRelease } from './release-document.schema.js';
import { ReleaseRefusedError, type ReleaseRefusal } from './release-refusal.js';
import { encodeRelease, signRelease } from './sign-release.js';
import { verifyRelease, type VerifyReleaseOptions } from './verify-release.js';

const ring = keyRing([generateSigningKey('release-2026').key]);
const trusted = ring.trusted;

function signedBytesOf(over: Partial<SignedRelease> = {}): Buffer {
  return encodeRelease(signRelease(exampleSigned(over), ring));
}

/** The document as JSON to edit after signing. */
function editable(over: Partial<SignedRelease> = {}): ReleaseDocument {
  return JSON.parse(signedBytesOf(over).toString('utf8')) as ReleaseDocument;
}

const bytesOf = (doc: unknown) => Buffer.from(JSON.stringify(doc), 'utf8');

function refusal(bytes: Uint8Array, options: Partial<VerifyReleaseOptions> = {}): ReleaseRefusal {
  try {
    verifyRelease(bytes, { trusted, now: NOW, ...options });
  } catch (err) {
    if (err instanceof ReleaseRefusedError) return err.reason;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('verifyRelease: signatures', () => {
  it('returns the signed part of a document signed by a trusted key', () => {
    const signed = exampleSigned();
    const verified = verifyRelease(encodeRelease(signRelease(signed, ring)), { trusted, now: NOW });
    expect(verified).toEqual(signed);
  });

  it('verifies whatever the key order and spacing of the JSON (the signature covers canonical JSON)', () => {
    const doc = editable();
    const reordered = Object.fromEntries(Object.entries(doc.signed).reverse());
    const text = JSON.stringify({ signed: reordered, signatures: doc.signatures }, null, 2);
    expect(verifyRelease(Buffer.from(text), { trusted, now: NOW }).releaseId).toBe(doc.signed.releaseId);
    expect(encodeRelease({ signed: reordered as SignedRelease, signatures: doc.signatures })).toEqual(
      encodeRelease(doc),
    );
  });

  it.each<[string, (s: SignedRelease) => void]>([
    ['sequence', (s) => (s.sequence += 1)],
    ['channels', (s) => s.channels.push('beta')],
    ['expiresAt', (s) => (s.expiresAt = '2027-12-07T12:00:00.000Z')],
    ['a file hash', (s) => (s.files['root.squashfs']!.sha256 = '0'.repeat(64))],
    ['compatibility', (s) => s.compatibility.architectures.push('arm64')],
  ])('refuses a changed %s as bad-signature', (_field, change) => {
    const doc = editable();
    change(doc.signed);
    expect(refusal(bytesOf(doc))).toBe('bad-signature');
  });

  it('refuses a changed or truncated signature by a trusted key as bad-signature', () => {
    const doc = editable();
    const raw = Buffer.from(doc.signatures[0]!.signature, 'base64');
    raw[10]! ^= 1;
    doc.signatures[0]!.signature = raw.toString('base64');
    expect(refusal(bytesOf(doc))).toBe('bad-signature');
    doc.signatures[0]!.signature = raw.subarray(0, 63).toString('base64');
    expect(refusal(bytesOf(doc))).toBe('bad-signature');
  });

  it('refuses a foreign key that claims a trusted key id as bad-signature', () => {
    const impostor = keyRing([generateSigningKey('release-2026').key]);
    expect(refusal(encodeRelease(signRelease(exampleSigned(), impostor)))).toBe('bad-signature');
  });

  it('refuses a document signed only by unknown key ids as unknown-key, naming them', () => {
    const other = keyRing([generateSigningKey('someone-else').key]);
    const bytes = encodeRelease(signRelease(exampleSigned(), other));
    expect(refusal(bytes)).toBe('unknown-key');
    expect(() => verifyRelease(bytes, { trusted, now: NOW })).toThrow(/"someone-else"/);
  });

  it('refuses a document without signatures as unsigned', () => {
    expect(refusal(bytesOf({ ...editable(), signatures: [] }))).toBe('unsigned');
  });

  it('ignores a signature by an unknown key beside a good one by a trusted key', () => {
    const doc = editable();
    const other = signRelease(doc.signed, keyRing([generateSigningKey('someone-else').key]));
    const both = { ...doc, signatures: [...other.signatures, ...doc.signatures] };
    expect(verifyRelease(bytesOf(both), { trusted, now: NOW }).releaseId).toBe(doc.signed.releaseId);
  });

  it('refuses when any signature by a trusted key fails, even beside a good one', () => {
    const second = keyRing([generateSigningKey('release-2027').key]);
    const doc = editable();
    const bad = { keyId: 'release-2027', signature: doc.signatures[0]!.signature };
    const both = { ...doc, signatures: [...doc.signatures, bad] };
    expect(refusal(bytesOf(both), { trusted: [...trusted, ...second.trusted] })).toBe('bad-signature');
  });

  it('rotates keys: a document signed by old and new keys verifies with either alone', () => {
    const old = generateSigningKey('release-2026').key;
    const next = generateSigningKey('release-2027').key;
    const doc = signRelease(exampleSigned(), keyRing([next, old]));
    expect(doc.signatures.map((s) => s.keyId)).toEqual(['release-2027', 'release-2026']);
    const bytes = encodeRelease(doc);
    for (const key of [old, next]) {
      const machineHolds = [trustedKeyFromBytes(key.keyId, publicKeyBytes(key))];
      expect(verifyRelease(bytes, { trusted: machineHolds, now: NOW }).releaseId).toBe(doc.signed.releaseId);
    }
  });
});

describe('verifyRelease: size and shape, before any signature', () => {
  it('refuses more than maxBytes as too-large, before reading it as JSON', () => {
    const bytes = signedBytesOf();
    expect(refusal(bytes, { maxBytes: bytes.length - 1 })).toBe('too-large');
    expect(verifyRelease(bytes, { trusted, now: NOW, maxBytes: bytes.length }).sequence).toBe(42);
    expect(refusal(Buffer.alloc(64 * 1024 + 1, '{'))).toBe('too-large');
  });

  it.each<[string, Buffer]>([
    ['not JSON', Buffer.from('{"signatures":')],
    ['not UTF-8', Buffer.from([0x7b, 0xff, 0x7d])],
    ['not an object', Buffer.from('[]')],
  ])('refuses %s as malformed', (_what, bytes) => {
    expect(refusal(bytes)).toBe('malformed');
  });

  it('refuses an unknown field, signed or not, as malformed (parsed before signatures are checked)', () => {
    expect(refusal(bytesOf({ ...editable(), note: 'x' }))).toBe('malformed');
    const doc = editable();
    expect(refusal(bytesOf({ ...doc, signed: { ...doc.signed, extra: true } }))).toBe('malformed');
    const signature = { ...doc.signatures[0], comment: 'x' };
    expect(refusal(bytesOf({ ...doc, signatures: [signature] }))).toBe('malformed');
  });

  it('names the field that is wrong', () => {
    const doc = editable();
    const bytes = bytesOf({ ...doc, signed: { ...doc.signed, image: '../etc' } });
    expect(() => verifyRelease(bytes, { trusted, now: NOW })).toThrow(
      /\(malformed\): signed.image: 1–128 letters/,
    );
  });
});

describe('verifyRelease: content, once signed', () => {
  it('checks signatures before content: a tampered or unknown-key document is refused as such', () => {
    const expired = new Date('2027-01-01T00:00:00.000Z');
    const doc = editable();
    doc.signed.image = 'other';
    expect(refusal(bytesOf(doc), { now: expired, expect: { image: 'x' } })).toBe('bad-signature');
    const foreign = encodeRelease(signRelease(exampleSigned(), keyRing([generateSigningKey('k').key])));
    expect(refusal(foreign, { now: expired, held: { floor: 100 } })).toBe('unknown-key');
  });

  it('refuses from expiresAt on as expired, and accepts a millisecond before', () => {
    const bytes = signedBytesOf();
    expect(refusal(bytes, { now: new Date('2026-12-07T12:00:00.000Z') })).toBe('expired');
    expect(verifyRelease(bytes, { trusted, now: new Date('2026-12-07T11:59:59.999Z') }).version).toBe('42');
  });

  it.each<[string, VerifyReleaseOptions['expect']]>([
    ['releaseId', { releaseId: '6f1c1f7e-1b7a-4c55-9a55-1f0e3c1b2a10' }],
    ['image', { image: 'kiosk' }],
    ['architecture', { architecture: 'arm64' }],
    ['channel', { channel: 'beta' }],
  ])('refuses another %s than asked for as mix-and-match', (_field, expectation) => {
    expect(refusal(signedBytesOf(), { expect: expectation })).toBe('mix-and-match');
  });

  it('accepts what was asked for', () => {
    const signed = exampleSigned({ channels: ['beta', 'stable'] });
    const expectation = {
      releaseId: signed.releaseId,
      image: signed.image,
      architecture: 'amd64',
      channel: 'stable',
    };
    const bytes = encodeRelease(signRelease(signed, ring));
    expect(verifyRelease(bytes, { trusted, now: NOW, expect: expectation })).toEqual(signed);
  });

  it('checks what was asked for before expiry and rollback: a document for another image is mix-and-match', () => {
    const now = new Date('2027-01-01T00:00:00.000Z');
    expect(refusal(signedBytesOf(), { now, expect: { image: 'kiosk' } })).toBe('mix-and-match');
    expect(refusal(signedBytesOf(), { expect: { image: 'kiosk' }, held: { floor: 100 } })).toBe(
      'mix-and-match',
    );
  });
  it('checks expiry before rollback, and rollback before the device', () => {
    const later = new Date('2027-01-01T00:00:00.000Z');
    expect(refusal(signedBytesOf(), { now: later, held: { floor: 100 } })).toBe('expired');
    const device = { architecture: 'arm64', boot: 'uefi' };
    expect(refusal(signedBytesOf(), { held: { floor: 100 }, device })).toBe('rollback');
  });
});

describe('verifyRelease: rollback', () => {
  const bytes = signedBytesOf({ sequence: 42, issuedAt: '2026-11-30T11:00:00.000Z' });

  it('refuses a sequence below the held floor, even as an explicit downgrade', () => {
    expect(refusal(bytes, { held: { floor: 43 } })).toBe('rollback');
    expect(refusal(bytes, { held: { floor: 43, sequence: 44 }, allowDowngrade: true })).toBe('rollback');
    expect(verifyRelease(bytes, { trusted, now: NOW, held: { floor: 42 } }).sequence).toBe(42);
  });

  it('refuses a sequence below the held one unless the downgrade is explicit', () => {
    expect(refusal(bytes, { held: { sequence: 43, floor: 40 } })).toBe('rollback');
    const options = { trusted, now: NOW, held: { sequence: 43, floor: 40 }, allowDowngrade: true };
    expect(verifyRelease(bytes, options).sequence).toBe(42);
    expect(verifyRelease(bytes, { trusted, now: NOW, held: { sequence: 41 } }).sequence).toBe(42);
  });

  it('refuses an older document of the same release, and accepts the same or a newer one', () => {
    const held = (issuedAt: string) => ({ sequence: 42, issuedAt });
    expect(refusal(bytes, { held: held('2026-11-30T11:00:00.001Z') })).toBe('rollback');
    expect(refusal(bytes, { held: held('2026-11-30T11:00:00.001Z'), allowDowngrade: true })).toBe('rollback');
    expect(verifyRelease(bytes, { trusted, now: NOW, held: held('2026-11-30T11:00:00.000Z') }).sequence).toBe(
      42,
    );
    expect(verifyRelease(bytes, { trusted, now: NOW, held: held('2026-11-29T11:00:00.000Z') }).sequence).toBe(
      42,
    );
  });

  it('compares issuedAt within one release only: a newer release may carry an older issuedAt', () => {
    const options = { trusted, now: NOW, held: { sequence: 41, issuedAt: '2026-11-30T11:30:00.000Z' } };
    expect(verifyRelease(bytes, options).sequence).toBe(42);
  });

  it('takes held.issuedAt only with held.sequence', () => {
    expect(() =>
      verifyRelease(bytes, { trusted, now: NOW, held: { issuedAt: '2026-11-30T11:00:00.000Z' } }),
    ).toThrow(TypeError);
  });
});

describe('verifyRelease: device', () => {
  const bytes = signedBytesOf({ compatibility: { architectures: ['amd64'], boot: ['uefi'], models: [] } });

  it.each<[string, VerifyReleaseOptions['device']]>([
    ['architecture', { architecture: 'arm64', boot: 'uefi' }],
    ['boot', { architecture: 'amd64', boot: 'bios' }],
  ])('refuses a device of another %s as incompatible', (_field, device) => {
    expect(refusal(bytes, { device })).toBe('incompatible');
  });

  it('takes an empty model list as any model, and a listed one only for those models', () => {
    const device = { architecture: 'amd64', boot: 'uefi', model: 'x1' };
    expect(verifyRelease(bytes, { trusted, now: NOW, device }).sequence).toBe(42);
    const some = signedBytesOf({
      compatibility: { architectures: ['amd64'], boot: ['uefi'], models: ['t14'] },
    });
    expect(refusal(some, { device })).toBe('incompatible');
    expect(refusal(some, { device: { architecture: 'amd64', boot: 'uefi' } })).toBe('incompatible');
    expect(verifyRelease(some, { trusted, now: NOW, device: { ...device, model: 't14' } }).sequence).toBe(42);
  });
});
