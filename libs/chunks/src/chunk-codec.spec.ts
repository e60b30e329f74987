import { randomBytes } from 'node:crypto';
import { zstdCompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from './chunk-id.js';
import { ChunkIntegrityError, compressChunk, decompressChunk } from './chunk-codec.js';

const reasonOf = async (promise: Promise<unknown>) =>
  promise.then(
    () => 'accepted',
    (error: unknown) => (error instanceof ChunkIntegrityError ? error.reason : String(error)),
  );

describe('chunk codec', () => {
  const bytes = Buffer.concat([randomBytes(5000), Buffer.alloc(20000, 7)]);
  const sha256 = sha256Hex(bytes);

  it('round-trips a chunk and compresses what compresses', async () => {
    const stored = compressChunk(bytes);
    expect(stored.length).toBeLessThan(bytes.length);
    expect(await decompressChunk(stored, { sha256, length: bytes.length })).toEqual(bytes);
  });

  it('refuses content that does not match its name', async () => {
    const other = Buffer.from(bytes);
    other[0] = other[0]! ^ 1;
    expect(await reasonOf(decompressChunk(compressChunk(other), { sha256, length: bytes.length }))).toBe(
      'hash-mismatch',
    );
  });

  it('refuses a frame that inflates past the chunk, without inflating it all', async () => {
    const bomb = zstdCompressSync(Buffer.alloc(256 * 1024 * 1024));
    expect(await reasonOf(decompressChunk(bomb, { sha256, length: bytes.length }))).toBe('too-long');
  });

  it('refuses a short frame and bytes that are not zstd', async () => {
    const short = compressChunk(bytes.subarray(0, 100));
    expect(await reasonOf(decompressChunk(short, { sha256, length: bytes.length }))).toBe('too-short');
    expect(await reasonOf(decompressChunk(Buffer.from('not zstd'), { sha256, length: 8 }))).toBe('corrupt');
    const truncated = compressChunk(bytes).subarray(0, 100);
    expect(await reasonOf(decompressChunk(truncated, { sha256, length: bytes.length }))).not.toBe('accepted');
  });
});
