// What Muster sends for v1 → v2. For now: the stored (zstd-3) bytes of v2's chunks that v1's
// chunks do not include, cut by chunkFile. The real sync path (manifest patch + chunk pack)
// replaces this one function.
import { createHash } from 'node:crypto';
import { constants, zstdCompressSync } from 'node:zlib';
import { chunkFile, fastCdcBoundaries } from '@muster/chunks';
import { readFile } from 'node:fs/promises';

const zstd3 = (b: Uint8Array) =>
  zstdCompressSync(b, {
    params: { [constants.ZSTD_c_compressionLevel]: 3, [constants.ZSTD_c_contentSizeFlag]: 1 },
    chunkSize: b.length + 1024,
  }).length;
const id = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

export interface DeltaBytes {
  bytes: number;
  chunks: number;
  chunking: string;
}

export async function musterDeltaBytes(v1: string, v2: string): Promise<DeltaBytes> {
  const held = new Set<string>();
  for await (const c of chunkFile(v1)) held.add(id(c.bytes));
  const file = chunkFile(v2);
  let bytes = 0;
  let chunks = 0;
  for await (const c of file) {
    const sha = id(c.bytes);
    if (held.has(sha)) continue;
    held.add(sha);
    bytes += zstd3(c.bytes);
    chunks++;
  }
  return { bytes, chunks, chunking: file.chunking() };
}

/** The same, cutting both images by FastCDC on their bytes alone (what a format-blind chunker gets). */
export async function fastCdcDeltaBytes(v1: string, v2: string): Promise<DeltaBytes> {
  const pieces = (d: Buffer) => fastCdcBoundaries(d).map((e, i, ends) => d.subarray(i ? ends[i - 1] : 0, e));
  const held = new Set(pieces(await readFile(v1)).map(id));
  let bytes = 0;
  let chunks = 0;
  for (const p of pieces(await readFile(v2))) {
    const sha = id(p);
    if (held.has(sha)) continue;
    held.add(sha);
    bytes += zstd3(p);
    chunks++;
  }
  return { bytes, chunks, chunking: 'fastcdc-v1 (forced)' };
}
