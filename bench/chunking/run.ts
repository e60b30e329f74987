// npm run bench -- chunking: our chunker + SHA-256 + zstd-3 into a chunk store beside
// `casync make` of the same squashfs image, in the same run; an empty store, then a store that
// already holds every chunk (ours then skips compressing what it holds, as the artifact store does).
import { existsSync } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { chunkFile, fastCdcBoundaries } from '@muster/chunks';
import { BENCH_DIR, benchImage, V1_PACKAGES } from '../delta/image-pair.js';
import { casyncMake, storeContents } from './casync.js';
import { storeChunks } from './store-chunks.js';
import { StorePool } from './store-pool.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
// The stores live in memory (tmpfs) when there is one: this disk takes ~1 ms per small file
// written, which would measure the file system (and the chunk count) rather than the chunkers.
const STORE_ROOT = process.env.BENCH_STORE_DIR ?? (existsSync('/dev/shm') ? '/dev/shm' : BENCH_DIR);
const work = join(STORE_ROOT, `muster-bench-chunking-${process.pid}`);
const mb = (bytes: number, s: number) => bytes / s / 1e6;

console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, load ${loadavg()[0]!.toFixed(1)}`,
);
const image = await benchImage('bench-v1', V1_PACKAGES);
const size = (await stat(image)).size;
console.log(`stores in ${work}`);
console.log(`image: ${image} (${(size / 1e6).toFixed(1)} MB, minbase + ${V1_PACKAGES.join(' ')})`);

const best: Record<string, number> = {};
const note = (name: string, seconds: number, detail: string) => {
  const rate = mb(size, seconds);
  best[name] = Math.max(best[name] ?? 0, rate);
  console.log(`${name.padEnd(22)} ${seconds.toFixed(2)} s  ${rate.toFixed(0).padStart(5)} MB/s  ${detail}`);
};

// Workers are started once, as a long-running store would hold them.
const MODES = ['inline', '1 worker', '2 workers'] as const;
const pools: Record<(typeof MODES)[number], StorePool | undefined> = {
  inline: undefined,
  '1 worker': new StorePool(1),
  '2 workers': new StorePool(2),
};

try {
  const imageBytes = await readFile(image); // also warms the page cache for both sides
  for (let round = 0; round < ROUNDS; round++) {
    // The cutting alone: FastCDC over the image in memory, then chunkFile (squashfs-v1) streaming it.
    let t = performance.now();
    const ends = fastCdcBoundaries(imageBytes);
    note(
      'FastCDC boundaries',
      (performance.now() - t) / 1000,
      `${ends.length} chunks, in memory, no hashing`,
    );
    t = performance.now();
    let n = 0;
    for await (const _ of chunkFile(image)) n++;
    note(
      'chunkFile',
      (performance.now() - t) / 1000,
      `${n} chunks, squashfs-v1, from the page cache, no hashing`,
    );
    for (const mode of MODES) {
      const store = join(work, `muster-${mode}`);
      await rm(store, { recursive: true, force: true });
      const empty = await storeChunks(image, store, new Set(), pools[mode]);
      note(
        `muster ${mode} empty`,
        empty.seconds,
        `${empty.chunks} chunks, ${empty.newChunks} stored, ${empty.storedBytes} B`,
      );
      const held = await storeChunks(image, store, empty.ids, pools[mode]);
      note(`muster ${mode} held`, held.seconds, `${held.chunks} chunks, ${held.newChunks} stored`);
    }
    const store = join(work, 'casync-store');
    await rm(store, { recursive: true, force: true });
    const index = join(work, 'image.caibx');
    const empty = await casyncMake(index, image, store);
    const chunks = await storeContents(store);
    const storedBytes = [...chunks.values()].reduce((a, b) => a + b, 0);
    note('casync empty', empty, `${chunks.size} chunks stored, ${storedBytes} B`);
    note('casync held', await casyncMake(index, image, store), 'every chunk already in the store');
  }

  const ours = Math.max(...MODES.map((m) => best[`muster ${m} empty`]!));
  const oursHeld = Math.max(...MODES.map((m) => best[`muster ${m} held`]!));
  console.log(
    `RESULT chunking muster_mb_s=${ours.toFixed(0)} casync_mb_s=${best['casync empty']!.toFixed(0)} vs_casync=${(ours / best['casync empty']!).toFixed(2)} held_vs_casync=${(oursHeld / best['casync held']!).toFixed(2)} held_mb_s=${oursHeld.toFixed(0)} casync_held_mb_s=${best['casync held']!.toFixed(0)} fastcdc_mb_s=${best['FastCDC boundaries']!.toFixed(0)} chunkfile_mb_s=${best.chunkFile!.toFixed(0)}`,
  );
} finally {
  for (const pool of Object.values(pools)) await pool?.close();
  await rm(work, { recursive: true, force: true });
}
