import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compressChunk, manifestOf, sha256Hex, type Manifest } from '@muster/chunks';

/**
 * A file made of blocks, cut at the block boundaries: what a content-defined chunker does to a
 * file whose changes keep to a few blocks (the real chunker is not needed to test the sync).
 */
export interface TestFile {
  bytes: Buffer;
  manifest: Manifest;
  /** Stored (zstd) form of each distinct chunk. */
  stored: Map<string, Buffer>;
}

/** Blocks of random sizes between 4 and 64 KiB: half random bytes, half text, so zstd has work. */
export function randomBlocks(count: number): Buffer[] {
  return Array.from({ length: count }, (_, i) => {
    const size = 4096 + Math.floor(Math.random() * 61440);
    const noise = randomBytes(size >> 1);
    const text = Buffer.alloc(size - noise.length, `block ${i} `);
    return Buffer.concat([noise, text]);
  });
}

export function fileOf(blocks: readonly Buffer[]): TestFile {
  const stored = new Map<string, Buffer>();
  const chunks = blocks.map((block) => {
    const sha256 = sha256Hex(block);
    const frame = stored.get(sha256) ?? compressChunk(block);
    stored.set(sha256, frame);
    return { sha256, length: block.length, storedLength: frame.length };
  });
  const bytes = Buffer.concat(blocks);
  return { bytes, manifest: manifestOf('fastcdc-v1', sha256Hex(bytes), chunks), stored };
}

/** Stored bytes of the distinct chunks of `file` that `base` lacks. */
export function newStoredBytes(file: TestFile, base: TestFile): number {
  let bytes = 0;
  for (const [id, frame] of file.stored) if (!base.stored.has(id)) bytes += frame.length;
  return bytes;
}

export async function withTempDir<T>(run: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'chunk-sync-'));
  try {
    return await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function expectSameBytes(path: string, file: TestFile): Promise<void> {
  const bytes = await readFile(path);
  if (bytes.length !== file.bytes.length || !bytes.equals(file.bytes))
    throw new Error(`${path}: ${bytes.length} bytes that differ from the expected ${file.bytes.length}`);
}
