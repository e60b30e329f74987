import { createHash, randomUUID } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { syncFile } from '@muster/chunk-sync';
import { generateSigningKey, keyRingEntry } from '@muster/command-signing';
import { DeliveryClient, parseManifest } from '@muster/chunks';
import { ownBus, until } from '@muster/messaging/testing';
import { verifyManifest, verifyRelease } from '@muster/releases';
import { testOperatorToken } from '@muster/runtime/testing';
import { getFreePort, uniqueBucketName, uniqueName } from '@muster/testing';
import { createPublicKey } from 'node:crypto';
import { tinyBundle } from '../../../services/image-build/test/fixtures/tiny-bundle.js';
import { startServiceProcess, type ServiceProcess } from '../../../tools/stack/service-process.js';

// The brief's second journey, across services: a recipe is built by image-build (a real
// mmdebstrap build), artifact-store hears `image.build.completed`, chunks the outputs and
// publishes a signed release, and a machine rebuilds the exact squashfs from it.
let dir: string;
let bus: Awaited<ReturnType<typeof ownBus>>;
let imageBuild: ServiceProcess;
let store: ServiceProcess;
let authorization: string;
const { key, seed } = generateSigningKey('e2e-build');
const trusted = [{ keyId: 'e2e-build', publicKey: createPublicKey(key.privateKey) }];

beforeAll(async () => {
  const servers = inject('servers');
  dir = await mkdtemp(join(tmpdir(), 'muster-build-release-'));
  await chmod(dir, 0o755);
  bus = await ownBus();
  const bucket = uniqueBucketName('journey');
  const shared = {
    MUSTER_NATS_URL: bus.server.url,
    MUSTER_DATABASE_URL: servers.postgres.url,
    MUSTER_S3_ENDPOINT: servers.s3.url,
    MUSTER_S3_ACCESS_KEY: servers.s3.accessKey,
    MUSTER_S3_SECRET_KEY: servers.s3.secretKey,
    MUSTER_S3_REGION: servers.s3.region,
    MUSTER_S3_BUCKET: bucket,
    MUSTER_LOG_LEVEL: 'warn',
  };
  imageBuild = startServiceProcess(
    'image-build',
    await getFreePort(),
    {
      ...shared,
      MUSTER_DATABASE_SCHEMA: uniqueName('jib'),
      MUSTER_REDIS_URL: servers.redis.url,
      MUSTER_BUILD_WORK_DIR: join(dir, 'work'),
      MUSTER_BUILD_CACHE_DIR: join(dir, 'cache'),
      MUSTER_BUILD_MIN_FREE_BYTES: String(512 * 1024 * 1024),
    },
    dir,
  );
  store = startServiceProcess(
    'artifact-store',
    await getFreePort(),
    {
      ...shared,
      MUSTER_DATABASE_SCHEMA: uniqueName('jas'),
      MUSTER_RELEASE_SIGNING_KEYS: keyRingEntry('e2e-build', seed),
      MUSTER_INGEST_WORK_DIR: join(dir, 'ingest'),
      MUSTER_GC_INTERVAL_SECONDS: '0',
    },
    dir,
  );
  await Promise.all([imageBuild.waitReady(90_000), store.waitReady(90_000)]);
  authorization = `Bearer ${await testOperatorToken(bus.server.url)}`;
}, 240_000);
afterAll(async () => {
  await imageBuild?.stop();
  await store?.stop();
  await bus?.close();
  await rm(dir, { recursive: true, force: true });
});

const get = async (service: ServiceProcess, path: string) =>
  (await (await fetch(`${service.url}${path}`, { headers: { authorization } })).json()) as Record<
    string,
    unknown
  >;

describe('a recipe, built, becomes a signed release a machine can rebuild exactly', () => {
  it('goes from POST /v1/builds to a release whose squashfs syncs to the bytes the build made', async () => {
    const name = `journey-${randomUUID().slice(0, 8)}`;
    const submitted = await fetch(`${imageBuild.url}/v1/builds`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ bundle: tinyBundle(name) }),
    });
    expect(submitted.status).toBe(202);
    const { buildId } = (await submitted.json()) as { buildId: string };

    let releaseId: string | undefined;
    await until(
      async () => {
        const build = await get(imageBuild, `/v1/builds/${buildId}`);
        if (build['state'] === 'failed') throw new Error(`the build failed: ${JSON.stringify(build)}`);
        const listed = (await get(store, `/v1/releases?image=${name}`))['releases'] as {
          releaseId: string;
          buildId: string;
        }[];
        releaseId = listed.find((r) => r.buildId === buildId)?.releaseId;
        return releaseId !== undefined;
      },
      400_000,
      `a release of build ${buildId}`,
    );
    const build = await get(imageBuild, `/v1/builds/${buildId}`);
    const outputs = build['outputs'] as { fileName: string; sha256: string; sizeBytes: number }[];
    const squashfs = outputs.find((o) => o.fileName === 'root.squashfs')!;

    const client = new DeliveryClient(store.url);
    const signed = verifyRelease(await client.releaseDocument(releaseId!), {
      trusted,
      now: new Date(),
      expect: { image: name },
    });
    expect(signed).toMatchObject({ sequence: 1, buildId, channels: [] });
    expect(signed.files['root.squashfs']).toMatchObject({
      sha256: squashfs.sha256,
      length: squashfs.sizeBytes,
    });
    const manifest = parseManifest(
      verifyManifest(
        signed,
        'root.squashfs',
        await client.manifest(signed.files['root.squashfs']!.manifest.sha256),
      ),
    );
    expect(manifest.chunking).toBe('squashfs-v1');

    const target = join(dir, 'root.squashfs');
    await syncFile({ manifest, target, sources: [{ name: 'origin', url: store.url }] });
    expect(
      createHash('sha256')
        .update(await readFile(target))
        .digest('hex'),
    ).toBe(squashfs.sha256);
  }, 480_000);
});
