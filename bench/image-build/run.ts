// npm run bench -- image-build: one recipe built through Muster (image-build's HTTP API, its
// queue and worker, outputs stored in S3) beside plain mmdebstrap + mksquashfs by hand in the
// same run, then the cached rebuild of a layer that adds one package to a cached base.
import 'reflect-metadata';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { streams } from '@muster/contracts';
import { BusConnection } from '@muster/messaging';
import { loadRecipe } from '@muster/recipes';
import { operatorFetch, testOperatorToken } from '@muster/runtime/testing';
import { getFreePort, startNats, startPostgres, startRedis, startS3 } from '@muster/testing';
import { startServiceProcess } from '../../tools/stack/service-process.js';
import { plainBuild } from './plain-build.js';

const PACKAGES = (process.env.BENCH_PACKAGES ?? 'zstd,less,xz-utils,openssh-client').split(',');
const EXTRA = process.env.BENCH_EXTRA_PACKAGE ?? 'curl';
const BUILD_USER = process.getuid?.() === 0 ? (process.env.MUSTER_BUILD_USER ?? 'muster-build') : undefined;

const root = await mkdtemp(join(tmpdir(), 'muster-bench-image-build-'));
const [nats, postgres, redis, s3] = await Promise.all([
  startNats({ dataDir: join(root, 'nats') }),
  startPostgres({ dataDir: join(root, 'postgres') }),
  startRedis({ dataDir: join(root, 'redis') }),
  startS3({ dataDir: join(root, 's3') }),
]);
const bus = await BusConnection.connect({ servers: [nats.url], name: 'bench-image-build', streams });
await bus.close();
const service = startServiceProcess(
  'image-build',
  await getFreePort(),
  {
    MUSTER_NATS_URL: nats.url,
    MUSTER_DATABASE_URL: postgres.url,
    MUSTER_DATABASE_SCHEMA: 'bench_image_build',
    MUSTER_REDIS_URL: redis.url,
    MUSTER_S3_ENDPOINT: s3.url,
    MUSTER_S3_ACCESS_KEY: s3.accessKey,
    MUSTER_S3_SECRET_KEY: s3.secretKey,
    MUSTER_S3_BUCKET: 'bench-builds',
    MUSTER_BUILD_WORK_DIR: join(root, 'work'),
    MUSTER_BUILD_CACHE_DIR: join(root, 'cache'),
    MUSTER_LOG_LEVEL: 'warn',
  },
  root,
);
const operator = { url: service.url, token: await testOperatorToken(nats.url) };

async function recipeFile(name: string, body: string): Promise<string> {
  const path = join(root, 'recipes', `${name}.yaml`);
  await import('node:fs/promises').then((fs) => fs.mkdir(join(root, 'recipes'), { recursive: true }));
  await writeFile(path, body);
  return path;
}

/** Submits a recipe and waits for the build to end; the time from submit to succeeded. */
async function throughMuster(path: string): Promise<{ seconds: number; build: Record<string, unknown> }> {
  const { bundle } = await loadRecipe(path);
  const started = performance.now();
  const res = await operatorFetch(operator, '/v1/builds', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ bundle }),
  });
  if (res.status !== 202) throw new Error(`submit: ${res.status} ${await res.text()}`);
  const { buildId } = (await res.json()) as { buildId: string };
  for (;;) {
    const build = (await (await operatorFetch(operator, `/v1/builds/${buildId}`)).json()) as Record<
      string,
      unknown
    >;
    if (build.state === 'succeeded') return { seconds: (performance.now() - started) / 1000, build };
    if (build.state === 'failed' || build.state === 'cancelled')
      throw new Error(`build ${buildId}: ${JSON.stringify(build)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const list = (xs: string[]) => `[${xs.join(', ')}]`;
try {
  await service.waitReady(120_000);
  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, load ${loadavg()[0]!.toFixed(1)}`,
  );
  console.log(
    `recipe: bookworm amd64 minbase + ${PACKAGES.join(' ')}, output squashfs (zstd-3, -no-fragments)`,
  );
  const base = await recipeFile(
    'bench-base',
    `name: bench-base\nversion: "1"\nsuite: bookworm\narchitecture: amd64\nvariant: minbase\npackages:\n  install: ${list(PACKAGES)}\noutputs: [squashfs]\n`,
  );

  // Alternated (plain, Muster, Muster, plain) and the best of each taken: the mirror and the
  // machine vary by several seconds from one build to the next.
  const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
  const plainTimes: number[] = [];
  const musterTimes: number[] = [];
  const plainOnce = async (i: number) => {
    const t0 = performance.now();
    await plainBuild(join(root, `plain-${i}`), PACKAGES, BUILD_USER);
    plainTimes.push((performance.now() - t0) / 1000);
    console.log(`plain mmdebstrap + mksquashfs: ${plainTimes.at(-1)!.toFixed(1)} s`);
    await rm(join(root, `plain-${i}`), { recursive: true, force: true }).catch(() => undefined);
  };
  const musterOnce = async () => {
    musterTimes.push((await throughMuster(base)).seconds);
    console.log(`through Muster (submit → succeeded, outputs in S3): ${musterTimes.at(-1)!.toFixed(1)} s`);
  };
  for (let i = 0; i < ROUNDS; i++) {
    if (i % 2 === 0) {
      await plainOnce(i);
      await musterOnce();
    } else {
      await musterOnce();
      await plainOnce(i);
    }
  }
  const plainS = Math.min(...plainTimes);
  const muster = { seconds: Math.min(...musterTimes) };

  // A layer on the base: its first build makes the base layer; the next adds one package to it.
  const layer = (pkgs: string[]) =>
    `name: bench-layer\nversion: "1"\nextends: bench-base.yaml\npackages:\n  install: ${list(pkgs)}\noutputs: [squashfs]\n`;
  const first = await throughMuster(await recipeFile('bench-layer', layer(['jq'])));
  console.log(
    `layer on the base, base not cached yet: ${first.seconds.toFixed(1)} s (base layer ${String(first.build.layerCache)})`,
  );
  const cached = await throughMuster(await recipeFile('bench-layer', layer(['jq', EXTRA])));
  console.log(
    `the layer plus ${EXTRA}, base cached: ${cached.seconds.toFixed(1)} s (base layer ${String(cached.build.layerCache)})`,
  );

  const ratio = muster.seconds / plainS;
  console.log(
    `RESULT image-build muster_s=${muster.seconds.toFixed(1)} plain_s=${plainS.toFixed(1)} ratio=${ratio.toFixed(2)} cached_rebuild_s=${cached.seconds.toFixed(1)} cached_vs_plain=${(cached.seconds / plainS).toFixed(2)}`,
  );
} finally {
  await service.stop('SIGTERM', 60_000).catch(() => undefined);
  await Promise.allSettled([nats.stop(), postgres.stop(), redis.stop(), s3.stop()]);
  await rm(root, { recursive: true, force: true }).catch(() => undefined);
}
