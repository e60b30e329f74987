// npm run bench -- fanout [--machines N] [--megabytes M] [--synthetic]: services/artifact-store
// as the origin, one site cache (its own process) in front of it, N machines syncing the same
// release through the cache at once with @muster/chunk-sync (cache first, origin second). What
// the origin sent — counted on the wire by a proxy in front of it — against the unique bytes of
// the release (ideal: 1.0× whatever N), and the time.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { SyncWarning } from '@muster/chunk-sync';
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
    // Per machine: chunk-pack requests at once, and stored MiB asked for per request (syncFile's defaults: 4, 8).
    parallelism: { type: 'string', default: process.env.BENCH_PARALLELISM ?? '4' },
    'batch-mib': { type: 'string', default: process.env.BENCH_BATCH_MIB ?? '8' },
  },
});
const MACHINES = Number(values.machines);
const MEGABYTES = Number(values.megabytes);
const PARALLELISM = Number(values.parallelism);
const BATCH_BYTES = Number(values['batch-mib']) * 1024 * 1024;
const FILE = 'root.squashfs';

/** Warnings the machines got, by kind and source: how many, and the first one's text. */
const warnings = new Map<string, { count: number; first: SyncWarning }>();
function noteWarning(w: SyncWarning): void {
  const key = `${w.kind}${'source' in w ? ` from ${w.source}` : ''}`;
  const seen = warnings.get(key);
  if (seen) seen.count += 1;
  else warnings.set(key, { count: 1, first: w });
}

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
  const settled = await Promise.allSettled(
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
        parallelism: PARALLELISM,
        batchBytes: BATCH_BYTES,
        onWarning: noteWarning,
      }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  for (const [key, { count, first }] of warnings)
    console.log(`machines warned ${count}× ${key}; first: ${JSON.stringify(first)}`);
  const cacheLog = (await readFile(cache.logFile, 'utf8')).split('\n').filter((l) => /warn|error/i.test(l));
  if (cacheLog.length > 0)
    console.log(
      `site cache log: ${cacheLog.length} warnings or errors; first:\n  ${cacheLog.slice(0, 5).join('\n  ')}`,
    );
  const failed = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed.length > 0)
    throw new Error(
      `${failed.length} of ${MACHINES} machines failed; the first: ${String(failed[0]!.reason)}`,
    );
  const synced = settled.map(
    (s) => (s as PromiseFulfilledResult<Awaited<ReturnType<typeof syncRelease>>>).value,
  );
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
    `RESULT fanout machines=${MACHINES} unique_bytes=${uniqueBytes} origin_bytes=${wireBytes} origin_ratio=${ratio.toFixed(3)} seconds=${seconds.toFixed(1)} origin_body_bytes=${body} parallelism=${PARALLELISM} batch_mib=${values['batch-mib']}`,
  );
} finally {
  await cache?.stop('SIGTERM', 30_000).catch(() => undefined);
  await proxy.stop();
  await origin.stop();
  await rm(root, { recursive: true, force: true });
}
