import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync, zstdCompressSync, zstdDecompressSync, constants } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunkFile, type CutChunk, fastCdcBoundaries, squashfsLayout } from '../src/chunking/index.js';
import {
  addedFiles,
  baseTree,
  type ImageOptions,
  makeImage,
  noise,
  sha256,
  type TreeFile,
  writeTree,
} from './squashfs-fixtures.js';

let root: string;
const image = (version: 'v1' | 'v2', o: ImageOptions) =>
  join(root, `${version}-${o.compressor}-${o.fragments}.squashfs`);
const KINDS: ImageOptions[] = [
  { compressor: 'zstd', fragments: 'none' },
  { compressor: 'zstd', fragments: 'small' },
  { compressor: 'zstd', fragments: 'tails' },
  { compressor: 'gzip', fragments: 'none' },
  { compressor: 'gzip', fragments: 'small' },
];
const XZ: ImageOptions = { compressor: 'xz', fragments: 'none' };
/** xz, but the inode table stored uncompressed (-noI): readable whatever the compressor. */
const XZ_PLAIN_INODES: ImageOptions = { compressor: 'xz', fragments: 'none', extra: ['-noI'] };

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'muster-chunks-'));
  await writeTree(join(root, 'v1'), baseTree());
  await writeTree(join(root, 'v2'), [...baseTree(), ...addedFiles()]);
  for (const o of KINDS) {
    await makeImage(join(root, 'v1'), image('v1', o), o);
    await makeImage(join(root, 'v2'), image('v2', o), o);
  }
  await makeImage(join(root, 'v1'), image('v1', XZ), XZ);
  await makeImage(join(root, 'v1'), join(root, 'v1-xz-plain-inodes.squashfs'), XZ_PLAIN_INODES);
});
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

async function cut(path: string): Promise<{ chunks: CutChunk[]; chunking: string }> {
  const file = chunkFile(path);
  const chunks: CutChunk[] = [];
  for await (const c of file) chunks.push(c);
  return { chunks, chunking: file.chunking() };
}

function expectExact(chunks: CutChunk[], bytes: Buffer, maxSize = 65536): void {
  let at = 0;
  for (const c of chunks) {
    expect(c.offset).toBe(at);
    expect(c.bytes.length).toBe(c.length);
    expect(c.length).toBeGreaterThan(0);
    expect(c.length).toBeLessThanOrEqual(maxSize);
    at += c.length;
  }
  expect(Buffer.concat(chunks.map((c) => c.bytes)).equals(bytes)).toBe(true);
}

/**
 * What a file's data blocks hold once decompressed, zero blocks (sparse) left out: all of it, but
 * nothing of a file under a block with fragments, and not the tail with -tailends.
 */
function expectedRunContent(f: TreeFile, blockSize: number, fragments: ImageOptions['fragments']): Buffer {
  if (fragments !== 'none' && f.bytes.length < blockSize) return Buffer.alloc(0);
  const blocks: Buffer[] = [];
  for (let at = 0; at < f.bytes.length; at += blockSize) {
    const block = f.bytes.subarray(at, at + blockSize);
    if (fragments === 'tails' && block.length < blockSize) break;
    if (block.some((b) => b !== 0)) blocks.push(block);
  }
  return Buffer.concat(blocks);
}

function decompressBlock(block: Buffer, compressor: string): Buffer {
  // A block stored uncompressed (incompressible data) does not decompress: it is its own content.
  try {
    return compressor === 'zstd' ? zstdDecompressSync(block) : inflateSync(block);
  } catch {
    return block;
  }
}

describe('chunkFile on real mksquashfs images', () => {
  it('cuts squashfs-aware at every file run and table start; the chunks are exactly the file', async () => {
    for (const o of KINDS) {
      for (const version of ['v1', 'v2'] as const) {
        const path = image(version, o);
        const bytes = await readFile(path);
        const { chunks, chunking } = await cut(path);
        expect(chunking, path).toBe('squashfs-v1');
        expectExact(chunks, bytes);
        const starts = new Set(chunks.map((c) => c.offset));
        const layout = squashfsLayout(bytes);
        expect(layout.runs.length).toBeGreaterThan(o.fragments === 'none' ? 300 : 5);
        for (const run of layout.runs) {
          expect(starts.has(run.start), `${path}: run start ${run.start}`).toBe(true);
          expect(starts.has(run.end), `${path}: run end ${run.end}`).toBe(true);
        }
        for (const t of layout.tableStarts) expect(starts.has(t), `${path}: table ${t}`).toBe(true);
      }
    }
  });

  it("finds every regular file's data blocks (checked against the tree the image was made from)", async () => {
    const tree = [...baseTree(), ...addedFiles()];
    for (const o of KINDS) {
      const bytes = await readFile(image('v2', o));
      const layout = squashfsLayout(bytes);
      expect(layout.compressor).toBe(o.compressor);
      const found = new Set(
        layout.runs.map((run) => {
          const parts = run.blockEnds.map((end, i) =>
            decompressBlock(bytes.subarray(i === 0 ? run.start : run.blockEnds[i - 1], end), o.compressor),
          );
          return sha256(Buffer.concat(parts));
        }),
      );
      const expected = new Set(
        tree
          .map((f) => expectedRunContent(f, layout.blockSize, o.fragments))
          .filter((b) => b.length > 0)
          .map(sha256),
      );
      expect(found).toEqual(expected);
    }
  });

  it('falls back to FastCDC for what it cannot read: xz metadata, a cut-off image, not a squashfs', async () => {
    const truncated = join(root, 'truncated.squashfs');
    await writeFile(truncated, (await readFile(image('v1', KINDS[0]!))).subarray(0, 200_000));
    const other = join(root, 'noise.bin');
    await writeFile(other, noise(300_000, 42));
    for (const path of [image('v1', XZ), truncated, other]) {
      const { chunks, chunking } = await cut(path);
      expect(chunking, path).toBe('fastcdc-v1');
      expectExact(chunks, await readFile(path));
    }
    expect(() => squashfsLayout(noise(4096, 1))).toThrow(/no squashfs magic/);
    expect(() => chunkFile(other).chunking()).toThrow(/once iteration has started/);
  });

  it('reads an image of any compressor whose inode table is stored uncompressed', async () => {
    const path = join(root, 'v1-xz-plain-inodes.squashfs');
    const { chunks, chunking } = await cut(path);
    expect(chunking).toBe('squashfs-v1');
    expectExact(chunks, await readFile(path));
    expect(squashfsLayout(await readFile(path)).runs.length).toBeGreaterThan(300);
  });

  it('fetches about the new files for v1 → v2, less than FastCDC on the same bytes', async () => {
    const zstd3 = (b: Buffer) =>
      zstdCompressSync(b, { params: { [constants.ZSTD_c_compressionLevel]: 3 } }).length;
    const newFilesCompressed = addedFiles().reduce((n, f) => n + Math.min(zstd3(f.bytes), f.bytes.length), 0);
    for (const fragments of ['none', 'small'] as const) {
      const o: ImageOptions = { compressor: 'zstd', fragments };
      const [a, b] = [await cut(image('v1', o)), await cut(image('v2', o))];
      const held = new Set(a.chunks.map((c) => sha256(c.bytes)));
      const novel = b.chunks.filter((c) => !held.has(sha256(c.bytes))).reduce((n, c) => n + c.length, 0);

      const bytes1 = await readFile(image('v1', o));
      const bytes2 = await readFile(image('v2', o));
      const pieces = (d: Buffer) =>
        fastCdcBoundaries(d).map((e, i, ends) => d.subarray(i ? ends[i - 1] : 0, e));
      const heldCdc = new Set(pieces(bytes1).map(sha256));
      const novelCdc = pieces(bytes2)
        .filter((p) => !heldCdc.has(sha256(p)))
        .reduce((n, p) => n + p.length, 0);

      const metadata = bytes2.length - squashfsLayout(bytes2).tableStarts[0]!;
      console.log(
        `v1 → v2 (fragments: ${fragments}): squashfs-v1 ${novel} B, FastCDC ${novelCdc} B, new files zstd-3 ${newFilesCompressed} B, v2 metadata ${metadata} B`,
      );
      expect(novel).toBeLessThan(novelCdc);
      if (fragments === 'none') expect(novel).toBeLessThanOrEqual(newFilesCompressed * 1.1 + metadata + 8192);
    }
  });
});
