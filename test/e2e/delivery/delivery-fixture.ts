import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { generateSigningKey, keyRingEntry, type TrustedKey } from '@muster/command-signing';
import { contracts, OutputKind } from '@muster/contracts';
import { DeliveryClient, parseManifest, type Manifest } from '@muster/chunks';
import { EventPublisher } from '@muster/messaging';
import { ownBus, until } from '@muster/messaging/testing';
import { S3ObjectStore } from '@muster/object-store';
import { verifyManifest, verifyRelease } from '@muster/releases';
import {
  completedBuild,
  getFreePort,
  startS3,
  type S3ServerHandle,
  uniqueBucketName,
  uniqueName,
} from '@muster/testing';
import { createPublicKey } from 'node:crypto';
import { testOperatorToken } from '@muster/runtime/testing';
import { startServiceProcess, type ServiceProcess } from '../../../tools/stack/service-process.js';

/**
 * artifact-store and a site cache as processes, on their own NATS and their own S3 server
 * (radosgw, kept on disk so that it can be restarted under a running sync), the run's
 * PostgreSQL; and a way to publish a build's outputs as image-build does.
 */
export interface DeliveryStack {
  dir: string;
  origin: ServiceProcess;
  cache: ServiceProcess;
  s3: S3ServerHandle;
  trusted: TrustedKey[];
  publish(image: string, file: Buffer): Promise<string>;
  manifestOf(releaseId: string, name: string): Promise<Manifest>;
  /** The site cache's GET /v1/status. */
  cacheStatus(): Promise<{ originBytes: number; hits: number; misses: number }>;
  restartOrigin(): Promise<void>;
  stopS3(): Promise<void>;
  startS3Again(): Promise<void>;
  close(): Promise<void>;
}

export async function startDeliveryStack(): Promise<DeliveryStack> {
  const servers = inject('servers');
  const dir = await mkdtemp(join(tmpdir(), 'muster-delivery-'));
  const bus = await ownBus();
  let s3 = await startS3({ dataDir: join(dir, 's3'), persistent: true, blockSizeGiB: 4 });
  const s3Port = s3.port;
  const bucket = uniqueBucketName('delivery');
  const keyId = `e2e-${randomUUID().slice(0, 8)}`;
  const { key, seed } = generateSigningKey(keyId);
  const originPort = await getFreePort();
  const originEnv = {
    MUSTER_NATS_URL: bus.server.url,
    MUSTER_DATABASE_URL: servers.postgres.url,
    MUSTER_DATABASE_SCHEMA: uniqueName('deliv'),
    MUSTER_S3_ENDPOINT: s3.url,
    MUSTER_S3_ACCESS_KEY: s3.accessKey,
    MUSTER_S3_SECRET_KEY: s3.secretKey,
    MUSTER_S3_REGION: s3.region,
    MUSTER_S3_BUCKET: bucket,
    MUSTER_RELEASE_SIGNING_KEYS: keyRingEntry(keyId, seed),
    MUSTER_GC_INTERVAL_SECONDS: '0',
    MUSTER_INGEST_WORK_DIR: join(dir, 'ingest'),
    MUSTER_LOG_LEVEL: 'warn',
  };
  const startOrigin = async () => {
    const p = startServiceProcess('artifact-store', originPort, originEnv, dir);
    await p.waitReady(60_000);
    return p;
  };
  let origin = await startOrigin();
  const cachePort = await getFreePort();
  const cache = startServiceProcess(
    'site-cache',
    cachePort,
    {
      MUSTER_NATS_URL: bus.server.url,
      MUSTER_SITE_CACHE_ORIGIN: origin.url,
      MUSTER_SITE_CACHE_DIR: join(dir, 'site-cache'),
      MUSTER_SITE_ID: 'berlin-1',
      MUSTER_SITE_CACHE_PUBLIC_URL: `http://127.0.0.1:${cachePort}`,
      MUSTER_LOG_LEVEL: 'warn',
    },
    dir,
  );
  await cache.waitReady(60_000);
  const objects = new S3ObjectStore({ ...s3, pathStyle: true });
  const builds = new EventPublisher(bus.bus, '/muster/image-build');
  const trusted = [{ keyId, publicKey: createPublicKey(key.privateKey) }];
  const client = new DeliveryClient(origin.url);
  const authorization = `Bearer ${await testOperatorToken(bus.server.url)}`;

  return {
    dir,
    get origin() {
      return origin;
    },
    cache,
    get s3() {
      return s3;
    },
    trusted,
    publish: async (image, file) => {
      const { buildId, uploads, event } = completedBuild(image, [
        { name: 'disk.img', kind: OutputKind.RAW_DISK, bytes: file },
      ]);
      for (const u of uploads) await objects.put(bucket, u.objectKey, u.bytes);
      await builds.publish(contracts.imageBuildCompleted, { buildId }, event);
      let releaseId: string | undefined;
      await until(
        async () => {
          const res = await fetch(`${origin.url}/v1/releases?image=${image}`, { headers: { authorization } });
          const body = (await res.json()) as { releases?: { releaseId: string; buildId: string }[] };
          releaseId = body.releases?.find((r) => r.buildId === buildId)?.releaseId;
          return releaseId !== undefined;
        },
        90_000,
        `release of ${buildId}`,
      );
      return releaseId!;
    },
    manifestOf: async (releaseId, name) => {
      const signed = verifyRelease(await client.releaseDocument(releaseId), { trusted, now: new Date() });
      return parseManifest(
        verifyManifest(signed, name, await client.manifest(signed.files[name]!.manifest.sha256)),
      );
    },
    cacheStatus: async () =>
      (await (await fetch(`${cache.url}/v1/status`, { headers: { authorization } })).json()) as {
        originBytes: number;
        hits: number;
        misses: number;
      },
    restartOrigin: async () => {
      await origin.stop('SIGKILL');
      origin = await startOrigin();
    },
    stopS3: async () => {
      await s3.stop();
    },
    startS3Again: async () => {
      s3 = await startS3({ dataDir: join(dir, 's3'), persistent: true, blockSizeGiB: 4, port: s3Port });
    },
    close: async () => {
      await cache.stop();
      await origin.stop();
      await s3.stop();
      await bus.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
