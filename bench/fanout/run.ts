// npm run bench -- fanout [--machines N] [--megabytes M]: one origin, one site cache (its own
// process), N machines syncing the same release through the cache at once. What the origin
// sent against the unique bytes of the release (ideal: 1.0× whatever N), and the time.
//
// The origin is the site cache's test origin (services/site-cache/test/fixtures) until
// services/artifact-store serves the delivery routes; a machine is DeliveryClient +
// decompressChunk over all of a manifest's chunks until @muster/chunk-sync lands.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  decompressChunk,
  DeliveryClient,
  distinctChunks,
  parseManifest,
  type ManifestChunk,
} from '@muster/chunks';
import { streams } from '@muster/contracts';
import { BusConnection } from '@muster/messaging';
import { getFreePort, startNats } from '@muster/testing';
import { TestOrigin } from '../../services/site-cache/test/fixtures/test-origin.js';
import { startServiceProcess } from '../../tools/stack/service-process.js';

const { values } = parseArgs({
  options: {
    machines: { type: 'string', default: process.env.BENCH_MACHINES ?? '20' },
    megabytes: { type: 'string', default: process.env.BENCH_MEGABYTES ?? '64' },
  },
});
const MACHINES = Number(values.machines);
const MEGABYTES = Number(values.megabytes);
const PACK = 256;

/** Half random, half repetitive: an image compresses about that well. */
function imageBytes(size: number): Buffer {
  const out = Buffer.alloc(size);
  for (let at = 0; at < size; at += 8192) {
    const piece =
      (at / 8192) % 2 === 0 ? randomBytes(8192) : Buffer.from('muster '.repeat(1171).slice(0, 8192));
    piece.copy(out, at);
  }
  return out;
}

/** One machine: the release document, each manifest, then every chunk in packs, each verified. */
async function machine(url: string, releaseId: string): Promise<number> {
  const client = new DeliveryClient(url);
  const document = JSON.parse((await client.releaseDocument(releaseId)).toString()) as {
    signed: { files: Record<string, { manifest: { sha256: string } }> };
  };
  let bytes = 0;
  for (const file of Object.values(document.signed.files)) {
    const chunks = distinctChunks(parseManifest(await client.manifest(file.manifest.sha256)));
    const byId = new Map<string, ManifestChunk>(chunks.map((c) => [c.sha256, c]));
    for (let i = 0; i < chunks.length; i += PACK) {
      let ids = chunks.slice(i, i + PACK).map((c) => c.sha256);
      while (ids.length > 0) {
        for await (const record of client.chunks(ids)) {
          bytes += (await decompressChunk(record.stored, byId.get(record.sha256)!)).length;
          ids = ids.filter((id) => id !== record.sha256);
        }
      }
    }
  }
  return bytes;
}

const root = await mkdtemp(join(tmpdir(), 'muster-bench-fanout-'));
const nats = await startNats({ dataDir: join(root, 'nats') });
const bus = await BusConnection.connect({ servers: [nats.url], name: 'bench-fanout', streams });
await bus.close();
const origin = new TestOrigin();
await origin.start();
const release = origin.addRelease({ 'root.squashfs': imageBytes(MEGABYTES * 1024 * 1024) });
const manifest = release.files['root.squashfs']!;
const uniqueChunkBytes = distinctChunks(manifest.manifest).reduce((sum, c) => sum + c.storedLength, 0);
const uniqueBytes =
  uniqueChunkBytes + origin.manifests.get(manifest.manifestId)!.length + release.document.length;
const cache = startServiceProcess(
  'site-cache',
  await getFreePort(),
  {
    MUSTER_NATS_URL: nats.url,
    MUSTER_SITE_CACHE_DIR: join(root, 'cache'),
    MUSTER_SITE_CACHE_ORIGIN: origin.url,
    MUSTER_SITE_ID: 'bench-site',
    MUSTER_HTTP_RATE_LIMIT_PER_MINUTE: '0',
    MUSTER_LOG_LEVEL: 'warn',
  },
  root,
);
try {
  await cache.waitReady(60_000);
  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 1024 ** 3).toFixed(1)} GiB; ` +
      `release: one ${MEGABYTES} MiB file, ${manifest.manifest.chunks.length} chunks of 16 KiB, ${uniqueChunkBytes} bytes stored`,
  );
  const started = performance.now();
  const synced = await Promise.all(
    Array.from({ length: MACHINES }, () => machine(cache.url, release.releaseId)),
  );
  const seconds = (performance.now() - started) / 1000;
  if (synced.some((b) => b !== manifest.bytes.length))
    throw new Error('a machine did not get the whole file');
  const ratio = origin.bytesSent / uniqueBytes;
  console.log(
    `${MACHINES} machines synced ${(MACHINES * MEGABYTES).toFixed(0)} MiB in ${seconds.toFixed(1)} s; ` +
      `origin sent ${origin.bytesSent} bytes (${origin.chunkBytesSent} of chunks) for ${uniqueBytes} unique bytes`,
  );
  console.log(
    `RESULT fanout machines=${MACHINES} unique_bytes=${uniqueBytes} origin_bytes=${origin.bytesSent} origin_ratio=${ratio.toFixed(3)} seconds=${seconds.toFixed(1)}`,
  );
} finally {
  await cache.stop('SIGTERM', 30_000).catch(() => undefined);
  await origin.stop();
  await nats.stop();
  await rm(root, { recursive: true, force: true });
}
