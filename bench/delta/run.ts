// npm run bench -- delta: what each way of shipping an update sends for a real image pair
// (Muster's figure through artifact-store and @muster/chunk-sync, on servers it starts)
// (v1 = minbase with a kernel and systemd; v2 = v1 + a few packages), built reproducibly.
import { execFile } from 'node:child_process';
import { mkdir, rm, stat } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { casyncMake, storeContents } from '../chunking/casync.js';
import { BENCH_DIR, benchImagePair, V1_PACKAGES, V2_EXTRA } from './image-pair.js';
import { fastCdcDeltaBytes, musterDelta } from './muster-delta.js';
import { listTree, newOrChanged } from './tree-listing.js';

const work = join(BENCH_DIR, `delta-${process.pid}`);

function xdelta3(v1: string, v2: string, patch: string): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile('xdelta3', ['-e', '-f', '-s', v1, v2, patch], (err, _o, stderr) => {
      if ((err as NodeJS.ErrnoException | null)?.code === 'ENOENT')
        reject(
          new Error(
            'xdelta3 is not installed. Fix — run: sudo apt-get install -y --no-install-recommends xdelta3',
          ),
        );
      else if (err) reject(new Error(`xdelta3: ${err.message}\n${stderr}`));
      else resolve(stat(patch).then((s) => s.size));
    });
  });
}

/** casync: v1 made into one store, v2 into another; the bytes of v2's chunk files v1's store lacks. */
async function casyncDelta(v1: string, v2: string): Promise<number> {
  const [s1, s2] = [join(work, 'casync-v1'), join(work, 'casync-v2')];
  await casyncMake(join(work, 'v1.caibx'), v1, s1);
  await casyncMake(join(work, 'v2.caibx'), v2, s2);
  const held = await storeContents(s1);
  let bytes = 0;
  for (const [name, size] of await storeContents(s2)) if (!held.has(name)) bytes += size;
  return bytes;
}

try {
  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, load ${loadavg()[0]!.toFixed(1)}`,
  );
  const { v1, v2 } = await benchImagePair();
  await mkdir(work, { recursive: true });
  console.log(`v1: ${v1}\n    minbase + ${V1_PACKAGES.join(' ')}\nv2: ${v2}\n    v1 + ${V2_EXTRA.join(' ')}`);
  const full = (await stat(v2)).size;

  const [t1, t2] = [await listTree(v1), await listTree(v2)];
  const limit = newOrChanged(t1, t2);
  console.log(
    `files: v1 ${t1.size}, v2 ${t2.size}; new or changed in v2: ${limit.files} (${limit.raw} B raw, ${limit.bytes} B zstd-3)`,
  );

  const muster = await musterDelta(v1, v2, work);
  console.log(
    `artifact-store ingested v1 and v2 (upload + image.build.completed → release) in ${muster.ingestSeconds.toFixed(0)} s`,
  );
  console.log(
    `muster sync v1 → v2 (${muster.chunk.chunking}, v1 as seed): ${muster.bytes} B = document ${muster.documentBytes} + manifest patch ${muster.manifestPatchBytes} + chunk packs ${muster.packBytes} ` +
      `(${muster.records} records; report: ${muster.packBytesReported} = stored + 36 B each), ${muster.requests} requests, ${muster.syncSeconds.toFixed(1)} s; ` +
      `${muster.wireBytes} B on the wire with headers`,
  );
  console.log(
    `chunk bytes alone (v2's chunks v1's manifest lacks): ${muster.chunk.chunks} chunks, ${muster.chunk.bytes} B stored`,
  );
  const cdc = await fastCdcDeltaBytes(v1, v2);
  console.log(`FastCDC on the bytes alone: ${cdc.chunks} chunks, ${cdc.bytes} B stored`);
  const casync = await casyncDelta(v1, v2);
  console.log(`casync (default chunking, zstd): ${casync} B`);
  const xd = await xdelta3(v1, v2, join(work, 'v1-v2.xdelta'));
  console.log(`xdelta3 -e -s v1 v2: ${xd} B`);

  const x = (n: number) => (n / limit.bytes).toFixed(2);
  console.log(
    `× the limit: muster ${x(muster.bytes)} (chunks alone ${x(muster.chunk.bytes)}), FastCDC ${x(cdc.bytes)}, casync ${x(casync)}, xdelta3 ${x(xd)}, full ${x(full)}`,
  );
  console.log(
    `RESULT delta full_bytes=${full} limit_bytes=${limit.bytes} muster_bytes=${muster.bytes} casync_bytes=${casync} xdelta3_bytes=${xd} vs_limit=${x(muster.bytes)} chunk_bytes=${muster.chunk.bytes} manifest_patch_bytes=${muster.manifestPatchBytes} document_bytes=${muster.documentBytes} pack_bytes=${muster.packBytes} wire_bytes=${muster.wireBytes}`,
  );
} finally {
  await rm(work, { recursive: true, force: true });
}
