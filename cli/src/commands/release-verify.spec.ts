import { createHash, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  compressChunk,
  DeliveryError,
  encodeManifest,
  manifestOf,
  sha256Hex,
  type ChunkPackRecord,
} from '@muster/chunks';
import { generateSigningKey, keyRing, type TrustedKey } from '@muster/command-signing';
import { encodeRelease, signRelease, type SignedRelease } from '@muster/releases';
import { verifyReleaseFully, type ReleaseSource } from './release-verify.js';

const NOW = new Date('2026-11-30T12:00:00.000Z');
const signer = generateSigningKey('release-2026').key;
const trusted: TrustedKey[] = keyRing([signer]).trusted.slice();

/** A file cut into pieces of `size` bytes, with the chunk frames and manifest a store would hold. */
function storedFile(bytes: Buffer, size: number) {
  const frames = new Map<string, Buffer>();
  const chunks = [];
  for (let at = 0; at < bytes.length; at += size) {
    const piece = bytes.subarray(at, at + size);
    const frame = compressChunk(piece);
    frames.set(sha256Hex(piece), frame);
    chunks.push({ sha256: sha256Hex(piece), length: piece.length, storedLength: frame.length });
  }
  const manifest = encodeManifest(manifestOf('fastcdc-v1', sha256Hex(bytes), chunks));
  return { bytes, frames, manifest };
}

/** An in-memory store answering as DeliveryClient does; `tamper` changes what it serves. */
function release(
  tamper: { document?: (b: Buffer) => Buffer; frames?: Map<string, Buffer>; gone?: boolean } = {},
) {
  const releaseId = randomUUID();
  // "aaaa…" repeats a chunk inside the file: it is fetched once and hashed twice.
  const root = storedFile(Buffer.concat([Buffer.alloc(300, 'a'), Buffer.from('the rest of root')]), 100);
  const kernel = storedFile(Buffer.from('kernel bytes'), 5);
  const file = (f: typeof root) => ({
    length: f.bytes.length,
    sha256: sha256Hex(f.bytes),
    manifest: { sha256: sha256Hex(f.manifest), length: f.manifest.length },
  });
  const signed: SignedRelease = {
    format: 'muster.release.v1',
    releaseId,
    image: 'till',
    version: '3',
    sequence: 3,
    architecture: 'amd64',
    channels: ['stable'],
    issuedAt: '2026-11-30T11:00:00.000Z',
    expiresAt: '2026-12-07T12:00:00.000Z',
    rollbackFloor: 0,
    compatibility: { architectures: ['amd64'], boot: ['uefi'], models: [] },
    files: { 'root.squashfs': file(root), vmlinuz: file(kernel) },
    buildId: randomUUID(),
    recipeDigest: createHash('sha256').update('r').digest('hex'),
  };
  const document = encodeRelease(signRelease(signed, keyRing([signer])));
  const frames = tamper.frames ?? new Map([...root.frames, ...kernel.frames]);
  const manifests = new Map([root, kernel].map((f) => [sha256Hex(f.manifest), f.manifest]));
  const asked: string[][] = [];
  const source: ReleaseSource = {
    releaseDocument: async () => {
      if (tamper.gone) throw new DeliveryError('refused', `410 release ${releaseId} is revoked`, 410);
      return tamper.document ? tamper.document(document) : document;
    },
    manifest: async (sha) => manifests.get(sha)!,
    async *chunks(ids: readonly string[]): AsyncGenerator<ChunkPackRecord> {
      asked.push([...ids]);
      const missing = ids.filter((id) => !frames.has(id));
      if (missing.length > 0) throw new DeliveryError('not-found', 'unknown chunks', 404, missing);
      for (const id of ids) yield { sha256: id, stored: frames.get(id)! };
    },
  };
  return { releaseId, source, root, asked };
}

describe('verifyReleaseFully', () => {
  it('checks the document, each manifest, and with files every chunk and each whole file', async () => {
    const { releaseId, source, asked } = release();
    const progress: number[] = [];
    const report = await verifyReleaseFully(source, releaseId, {
      trusted,
      now: NOW,
      files: true,
      fileCheck: { batchChunks: 2, windowBytes: 150 },
      onFileProgress: (file, done) => file === 'root.squashfs' && progress.push(done),
    });
    expect(report.verified).toBe(true);
    expect(report.checks.map((c) => [c.check, c.file, c.ok])).toEqual([
      ['document', undefined, true],
      ['manifest', 'root.squashfs', true],
      ['file', 'root.squashfs', true],
      ['manifest', 'vmlinuz', true],
      ['file', 'vmlinuz', true],
    ]);
    expect(report.checks[0]!.detail).toContain('signed by release-2026');
    expect(progress.at(-1)).toBe(316);
    // Batches of at most two distinct ids; the repeated 'a' chunk is asked for once per window.
    expect(asked.every((ids) => ids.length <= 2 && new Set(ids).size === ids.length)).toBe(true);
  });

  it('refuses a document signed by a key not trusted here (unknown-key), and checks nothing more', async () => {
    const { releaseId, source } = release();
    const report = await verifyReleaseFully(source, releaseId, {
      trusted: keyRing([generateSigningKey('someone-else').key]).trusted,
      now: NOW,
      files: true,
    });
    expect(report).toMatchObject({ verified: false, reason: 'unknown-key' });
    expect(report.checks).toHaveLength(1);
  });

  it('refuses a trusted id whose key is not the signer (bad-signature), an expired document, a tampered one', async () => {
    const { releaseId, source } = release();
    const impostor = keyRing([generateSigningKey('release-2026').key]).trusted;
    expect(
      await verifyReleaseFully(source, releaseId, { trusted: impostor, now: NOW, files: false }),
    ).toMatchObject({ reason: 'bad-signature' });
    const late = new Date('2026-12-08T00:00:00.000Z');
    expect(await verifyReleaseFully(source, releaseId, { trusted, now: late, files: false })).toMatchObject({
      reason: 'expired',
    });
    const tampered = release({
      document: (b) => Buffer.from(b.toString().replace('"sequence":3', '"sequence":4')),
    });
    expect(
      await verifyReleaseFully(tampered.source, tampered.releaseId, { trusted, now: NOW, files: false }),
    ).toMatchObject({ reason: 'bad-signature' });
  });

  it("refuses another release's document (mix-and-match) and reports a revoked one as gone", async () => {
    const { source } = release();
    expect(await verifyReleaseFully(source, randomUUID(), { trusted, now: NOW, files: false })).toMatchObject(
      {
        reason: 'mix-and-match',
      },
    );
    const revoked = release({ gone: true });
    const report = await verifyReleaseFully(revoked.source, revoked.releaseId, {
      trusted,
      now: NOW,
      files: false,
    });
    expect(report).toMatchObject({ verified: false, reason: 'gone' });
    expect(report.checks[0]!.detail).toContain('410 Gone');
  });

  it('refuses a chunk that does not hash to its id, and a missing chunk, file by file', async () => {
    const good = release();
    const frames = new Map<string, Buffer>();
    const [first] = good.root.frames.keys();
    for (const [id, frame] of good.root.frames)
      frames.set(id, id === first ? compressChunk(Buffer.alloc(100, 'b')) : frame);
    const bad = release({ frames });
    const report = await verifyReleaseFully(bad.source, bad.releaseId, { trusted, now: NOW, files: true });
    expect(report).toMatchObject({ verified: false, reason: 'hash-mismatch' });
    const file = (name: string) => report.checks.filter((c) => c.file === name && c.check === 'file');
    expect(file('root.squashfs')).toMatchObject([{ ok: false, reason: 'hash-mismatch' }]);
    // The kernel's chunks are not in the tampered store at all.
    expect(file('vmlinuz')).toMatchObject([{ ok: false, reason: 'missing-chunks' }]);
  });

  it('throws what is not a verdict (the store unreachable) instead of reporting it', async () => {
    const { releaseId, source } = release();
    const down: ReleaseSource = {
      ...source,
      releaseDocument: async () => {
        throw new DeliveryError('unreachable', 'connection refused');
      },
    };
    await expect(verifyReleaseFully(down, releaseId, { trusted, now: NOW, files: false })).rejects.toThrow(
      'connection refused',
    );
  });
});
