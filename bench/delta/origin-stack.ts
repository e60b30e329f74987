// The origin the delivery benches sync from: services/artifact-store as a process, on a NATS,
// PostgreSQL and S3 server of its own; a release is published as image-build publishes one
// (its output uploaded to S3, then `image.build.completed`), and the store ingests it.
import 'reflect-metadata';
import { createPublicKey, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateSigningKey, keyRingEntry, type TrustedKey } from '@muster/command-signing';
import { contracts, OutputKind, streams } from '@muster/contracts';
import { BusConnection, EventPublisher } from '@muster/messaging';
import { S3ObjectStore } from '@muster/object-store';
import { operatorFetch, testOperatorToken } from '@muster/runtime/testing';
import {
  completedBuild,
  getFreePort,
  startNats,
  startPostgres,
  startS3,
  type NatsServerHandle,
} from '@muster/testing';
import { startServiceProcess } from '../../tools/stack/service-process.js';

const BUCKET = 'bench-artifacts';

export interface OriginStack {
  url: string;
  nats: NatsServerHandle;
  trusted: TrustedKey[];
  /** Publishes `path` as the one output `name` of a build of `image`; the release id, once ingested. */
  publish(image: string, name: string, path: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startOriginStack(root: string): Promise<OriginStack> {
  const [nats, postgres, s3] = await Promise.all([
    startNats({ dataDir: join(root, 'nats') }),
    startPostgres({ dataDir: join(root, 'postgres') }),
    startS3({ dataDir: join(root, 's3') }),
  ]);
  const bus = await BusConnection.connect({ servers: [nats.url], name: 'bench-origin', streams });
  const keyId = `bench-${randomUUID().slice(0, 8)}`;
  const { key, seed } = generateSigningKey(keyId);
  const service = startServiceProcess(
    'artifact-store',
    await getFreePort(),
    {
      MUSTER_NATS_URL: nats.url,
      MUSTER_DATABASE_URL: postgres.url,
      MUSTER_DATABASE_SCHEMA: 'bench_artifacts',
      MUSTER_S3_ENDPOINT: s3.url,
      MUSTER_S3_ACCESS_KEY: s3.accessKey,
      MUSTER_S3_SECRET_KEY: s3.secretKey,
      MUSTER_S3_REGION: s3.region,
      MUSTER_S3_BUCKET: BUCKET,
      MUSTER_RELEASE_SIGNING_KEYS: keyRingEntry(keyId, seed),
      MUSTER_GC_INTERVAL_SECONDS: '0',
      MUSTER_INGEST_WORK_DIR: join(root, 'ingest'),
      MUSTER_HTTP_RATE_LIMIT_PER_MINUTE: '0',
      MUSTER_LOG_LEVEL: 'warn',
    },
    root,
  );
  const stop = async () => {
    await service.stop('SIGTERM', 30_000).catch(() => undefined);
    await bus.close().catch(() => undefined);
    await Promise.allSettled([nats.stop(), postgres.stop(), s3.stop()]);
  };
  try {
    await service.waitReady(120_000);
  } catch (error) {
    await stop();
    throw error;
  }
  const objects = new S3ObjectStore({ ...s3, pathStyle: true });
  const builds = new EventPublisher(bus, '/muster/image-build');
  const operator = { url: service.url, token: await testOperatorToken(nats.url) };

  return {
    url: service.url,
    nats,
    trusted: [{ keyId, publicKey: createPublicKey(key.privateKey) }],
    publish: async (image, name, path) => {
      const { buildId, uploads, event } = completedBuild(image, [
        { name, kind: OutputKind.SQUASHFS, bytes: await readFile(path) },
      ]);
      for (const u of uploads) await objects.put(BUCKET, u.objectKey, u.bytes);
      await builds.publish(contracts.imageBuildCompleted, { buildId }, event);
      const deadline = Date.now() + 15 * 60_000;
      while (Date.now() < deadline) {
        const res = await operatorFetch(operator, `/v1/releases?image=${image}`);
        const body = (await res.json()) as { releases?: { releaseId: string; buildId: string }[] };
        const release = body.releases?.find((r) => r.buildId === buildId);
        if (release) return release.releaseId;
        await new Promise((r) => setTimeout(r, 500));
      }
      throw new Error(
        `build ${buildId} was not published as a release in 15 minutes:\n${await service.log()}`,
      );
    },
    stop,
  };
}
