// npm run bench -- fanout [--machines N] [--megabytes M] [--synthetic]: services/artifact-store
// as the origin, one site cache (its own process) in front of it, N machines syncing the same
// release through the cache at once with @muster/chunk-sync (cache first, origin second). What
// the origin sent — counted on the wire by a proxy in front of it — against the unique bytes of
// the release (ideal: 1.0× whatever N), and the time.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DeliveryClient, distinctChunks, parseManifest } from '@muster/chunks';
import { getFreePort } from '@muster/testing';
import { startServiceProcess } from '../../tools/stack/service-process.js';
import { cachedV2 } from '../delta/image-pair.js';
import { syncRelease } from '../delta/machine.js';
import { startOriginStack } from '../delta/origin-stack.js';
import { startCountingProxy } from './counting-proxy.js';

const { values } = parseArgs({
  options: {
    machines: { type: 'string', default: process.env.BENCH_MACHINES ?? '20' },
    megabytes: { type: 'string', default: process.env.BENCH_MEGABYTES ?? '64' },
    synthetic: { type: 'boolean', default: process.env.BENCH_SYNTHETIC === '1' },
  },
});
const MACHINES = Number(values.machines);
const MEGABYTES = Number(values.megabytes);
const FILE = 'root.squashfs';

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

const root = await mkdtemp(join(tmpdir(), 'muster-bench-fanout-'));
const origin = await startOriginStack(join(root, 'origin'));
const proxy = await startCountingProxy(origin.url);
let cache: ReturnType<typeof startServiceProcess> | undefined;
try {
  const real = values.synthetic ? undefined : await cachedV2();
  const image = real ?? join(root, 'synthetic.img');
  if (!real) await writeFile(image, imageBytes(MEGABYTES * 1024 * 1024));
  const size = (await stat(image)).size;
  const releaseId = await origin.publish('fanout', FILE, image);

  // The unique bytes, read straight from the store (not through the proxy).
  const direct = new DeliveryClient(origin.url);
  const document = await direct.releaseDocument(releaseId);
  const { signed } = JSON.parse(document.toString()) as {
    signed: { files: Record<string, { manifest: { sha256: string } }> };
  };
  const manifestBytes = await direct.manifest(signed.files[FILE]!.manifest.sha256);
  const manifest = parseManifest(manifestBytes);
  const distinct = distinctChunks(manifest);
  const uniqueChunkBytes = distinct.reduce((sum, c) => sum + c.storedLength, 0);
  const uniqueBytes = uniqueChunkBytes + manifestBytes.length + document.length;

  const cachePort = await getFreePort();
  cache = startServiceProcess(
    'site-cache',
    cachePort,
    {
      MUSTER_NATS_URL: origin.nats.url,
      MUSTER_SITE_CACHE_DIR: join(root, 'cache'),
      MUSTER_SITE_CACHE_ORIGIN: proxy.url,
      MUSTER_SITE_ID: 'bench-site',
      MUSTER_HTTP_RATE_LIMIT_PER_MINUTE: '0',
      MUSTER_LOG_LEVEL: 'warn',
    },
    root,
  );
  await cache.waitReady(60_000);
  await mkdir(join(root, 'machines'));
  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 1024 ** 3).toFixed(1)} GiB, Node ${process.version}, load ${loadavg()[0]!.toFixed(1)}; ` +
      `release: ${real ? `${real} (bench/delta's v2)` : `one synthetic ${MEGABYTES} MiB file`}, ${size} bytes, ` +
      `${manifest.chunks.length} chunks (${distinct.length} distinct, ${manifest.chunking}), ${uniqueChunkBytes} bytes stored`,
  );

  proxy.reset();
  const started = performance.now();
  const synced = await Promise.all(
    Array.from({ length: MACHINES }, (_, i) =>
      syncRelease({
        releaseId,
        name: FILE,
        target: join(root, 'machines', `m${i}`),
        sources: [
          { url: cache!.url, name: 'cache' },
          { url: proxy.url, name: 'origin' },
        ],
        trusted: origin.trusted,
      }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  const { wireBytes, bodyBytes, answers } = proxy.counts();
  const body = Object.values(bodyBytes).reduce((a, b) => a + b, 0);
  const fromOrigin = synced.reduce((sum, s) => sum + (s.report.bySource.origin ?? 0), 0);
  const ratio = wireBytes / uniqueBytes;
  console.log(
    `${MACHINES} machines synced ${((MACHINES * size) / 2 ** 20).toFixed(0)} MiB in ${seconds.toFixed(1)} s; ` +
      `the origin sent ${wireBytes} bytes on the wire (bodies ${body}: ${JSON.stringify(bodyBytes)}; answers ${JSON.stringify(answers)}) ` +
      `for ${uniqueBytes} unique bytes (chunks ${uniqueChunkBytes} + manifest ${manifestBytes.length} + document ${document.length}); ` +
      `machines fetched ${fromOrigin} stored bytes from the origin directly`,
  );
  console.log(
    `RESULT fanout machines=${MACHINES} unique_bytes=${uniqueBytes} origin_bytes=${wireBytes} origin_ratio=${ratio.toFixed(3)} seconds=${seconds.toFixed(1)} origin_body_bytes=${body}`,
  );
} finally {
  await cache?.stop('SIGTERM', 30_000).catch(() => undefined);
  await proxy.stop();
  await origin.stop();
  await rm(root, { recursive: true, force: true });
}
