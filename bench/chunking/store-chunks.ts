// Our side of the chunking bench: cut a file with chunkFile, name each chunk (SHA-256), and
// store the chunks not yet held as zstd-3 frames in a directory, like casync's chunk store.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants, zstdCompressSync } from 'node:zlib';
import { chunkFile } from '@muster/chunks';
import type { StorePool } from './store-pool.js';

const PARAMS = { [constants.ZSTD_c_compressionLevel]: 3, [constants.ZSTD_c_contentSizeFlag]: 1 };
// One output buffer big enough for the frame: node:zlib's default 16 KiB output step makes an
// incompressible 16 KiB chunk take two steps and a concatenation.
const zstdOptions = (length: number) => ({ params: PARAMS, chunkSize: length + 1024 });

export interface StoreRun {
  bytes: number;
  chunks: number;
  newChunks: number;
  storedBytes: number;
  seconds: number;
  /** Ids of every chunk of the file. */
  ids: Set<string>;
}

/**
 * Without a pool: hash, compress and write on the chunker's thread. With one: the chunker's
 * thread cuts and hashes, the pool's workers compress and write batches of new chunks (~1 MiB).
 * (node:zlib's asynchronous zstd, one thread-pool job per chunk, ran 10× slower than inline here.)
 */
const BATCH_BYTES = 1 << 20;

export async function storeChunks(
  path: string,
  storeDir: string,
  held: ReadonlySet<string>,
  pool?: StorePool,
): Promise<StoreRun> {
  const t0 = performance.now();
  const ids = new Set<string>();
  const run = { bytes: 0, chunks: 0, newChunks: 0, storedBytes: 0 };
  // Every fan-out directory up front, and synchronous writes: one thread-pool round trip per
  // small file costs more than the write itself on this machine.
  for (let i = 0; i < 256; i++)
    mkdirSync(join(storeDir, i.toString(16).padStart(2, '0')), { recursive: true });
  let batch: { chunks: Buffer[]; ids: string[]; bytes: number } = { chunks: [], ids: [], bytes: 0 };
  const flush = async () => {
    if (!pool || batch.chunks.length === 0) return;
    const data = Buffer.concat(batch.chunks, batch.bytes); // a copy: only its own bytes travel
    const lengths = batch.chunks.map((c) => c.length);
    await pool.submit(
      {
        data: data.buffer.slice(data.byteOffset, data.byteOffset + data.length),
        ids: batch.ids,
        lengths,
        storeDir,
      },
      (n) => (run.storedBytes += n),
    );
    batch = { chunks: [], ids: [], bytes: 0 };
  };
  for await (const c of chunkFile(path)) {
    run.bytes += c.length;
    run.chunks++;
    const id = createHash('sha256').update(c.bytes).digest('hex');
    if (held.has(id) || ids.has(id)) {
      ids.add(id);
      continue;
    }
    ids.add(id);
    run.newChunks++;
    if (!pool) {
      const stored = zstdCompressSync(c.bytes, zstdOptions(c.length));
      writeFileSync(join(storeDir, id.slice(0, 2), `${id}.zst`), stored);
      run.storedBytes += stored.length;
      continue;
    }
    batch.chunks.push(c.bytes);
    batch.ids.push(id);
    batch.bytes += c.length;
    if (batch.bytes >= BATCH_BYTES) await flush();
  }
  await flush();
  await pool?.drain();
  return { ...run, ids, seconds: (performance.now() - t0) / 1000 };
}
