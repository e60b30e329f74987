// A worker of the chunking bench: compresses (zstd-3) and writes the batches of new chunks the
// chunker's thread sends it, and answers each batch with the bytes it stored.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { constants, zstdCompressSync } from 'node:zlib';

export interface ChunkBatch {
  /** The chunks' bytes back to back. */
  data: ArrayBuffer;
  ids: string[];
  lengths: number[];
  storeDir: string;
}

const PARAMS = { [constants.ZSTD_c_compressionLevel]: 3, [constants.ZSTD_c_contentSizeFlag]: 1 };

parentPort!.on('message', (batch: ChunkBatch) => {
  const data = new Uint8Array(batch.data);
  let at = 0;
  let stored = 0;
  batch.ids.forEach((id, i) => {
    const length = batch.lengths[i]!;
    const frame = zstdCompressSync(data.subarray(at, at + length), {
      params: PARAMS,
      chunkSize: length + 1024,
    });
    writeFileSync(join(batch.storeDir, id.slice(0, 2), `${id}.zst`), frame);
    stored += frame.length;
    at += length;
  });
  parentPort!.postMessage(stored);
});
