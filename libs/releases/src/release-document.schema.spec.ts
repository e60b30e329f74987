import { describe, expect, it } from 'vitest';
import { exampleSigned } from '../test/release-fixture.js';
import { releaseDocumentSchema, signedReleaseSchema, type SignedRelease } from './release-document.schema.js';

const valid = (over: Record<string, unknown>) =>
  signedReleaseSchema.safeParse({ ...exampleSigned(), ...over });
const file = exampleSigned().files['root.squashfs']!;

describe('signedReleaseSchema', () => {
  it('takes the contract example shape', () => {
    expect(valid({}).success).toBe(true);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['an unknown field', { note: 'x' }, ''],
    ['another format', { format: 'muster.release.v2' }, 'format'],
    ['a name that does not match', { image: '-image' }, 'image'],
    ['a name over 128 characters', { version: 'v'.repeat(129) }, 'version'],
    ['a channel with a slash', { channels: ['stable/x'] }, 'channels'],
    ['a channel twice', { channels: ['stable', 'stable'] }, 'channels'],
    ['a file name that does not match', { files: { '../root': file } }, 'files'],
    ['no files', { files: {} }, 'files'],
    [
      '65 files',
      { files: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`f${i}`, file])) },
      'files',
    ],
    [
      'a manifest over 16 MiB',
      { files: { root: { ...file, manifest: { ...file.manifest, length: 16 * 1024 * 1024 + 1 } } } },
      'files',
    ],
    ['an unknown field in a file', { files: { root: { ...file, mode: 420 } } }, 'files'],
    ['an upper-case SHA-256', { recipeDigest: 'A'.repeat(64) }, 'recipeDigest'],
    ['a negative sequence', { sequence: -1 }, 'sequence'],
    ['a fractional sequence', { sequence: 1.5 }, 'sequence'],
    ['an unsafe integer', { sequence: 2 ** 53, rollbackFloor: 0 }, 'sequence'],
    ['a timestamp with an offset', { issuedAt: '2026-11-30T12:00:00.000+01:00' }, 'issuedAt'],
    ['a timestamp without milliseconds', { issuedAt: '2026-11-30T11:00:00Z' }, 'issuedAt'],
    ['a day that does not exist', { issuedAt: '2026-02-30T11:00:00.000Z' }, 'issuedAt'],
    ['expiresAt not after issuedAt', { expiresAt: '2026-11-30T11:00:00.000Z' }, 'expiresAt'],
    ['a floor above its own sequence', { rollbackFloor: 43 }, 'rollbackFloor'],
    ['a releaseId that is not a UUID', { releaseId: 'r-42' }, 'releaseId'],
    ['no boot kind', { compatibility: { architectures: ['amd64'], boot: [], models: [] } }, 'compatibility'],
  ])('refuses %s (at %s)', (_what, over, field) => {
    const result = valid(over);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => String(i.path[0] ?? ''))).toContain(field);
  });

  it('takes 64 files and the largest safe sequence', () => {
    const files = Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`f${i}`, file]));
    expect(valid({ files, sequence: Number.MAX_SAFE_INTEGER }).success).toBe(true);
  });
});

describe('releaseDocumentSchema', () => {
  const signed: SignedRelease = exampleSigned();
  const signature = { keyId: 'k', signature: Buffer.alloc(64).toString('base64') };
  const signatures = (n: number) => Array.from({ length: n }, (_, i) => ({ ...signature, keyId: `k${i}` }));

  it('takes up to 32 signatures, each key id once', () => {
    expect(releaseDocumentSchema.safeParse({ signed, signatures: signatures(32) }).success).toBe(true);
    expect(releaseDocumentSchema.safeParse({ signed, signatures: signatures(33) }).success).toBe(false);
    expect(releaseDocumentSchema.safeParse({ signed, signatures: [signature, signature] }).success).toBe(
      false,
    );
  });

  it('refuses a signature that is not base64', () => {
    const bad = { keyId: 'k', signature: 'not base64!' };
    expect(releaseDocumentSchema.safeParse({ signed, signatures: [bad] }).success).toBe(false);
  });
});
