import { join } from 'node:path';
import { ensureCredentialsDir } from '@muster/bus-auth';
import {
  serviceSeeds,
  startNats,
  startPostgres,
  startRedis,
  startS3,
  type ServerHandle,
} from '@muster/testing';
import type { Endpoints, StackPlan } from './stack-plan.js';
import { ensureCommandSigningKeys, ensureKeyRing } from './command-signing-keys.js';

export interface RunningServers {
  endpoints: Endpoints;
  handles: { name: string; handle: ServerHandle }[];
}

/**
 * NATS, PostgreSQL, Redis and the S3 server with durable settings and their data under the
 * stack's home: a second start reuses it. Reports each as it becomes ready; if one fails, the
 * others are stopped and the error names it.
 */
export async function startStackServers(
  plan: StackPlan,
  say: (line: string) => void,
): Promise<RunningServers> {
  const dir = (name: string) => join(plan.dataDir, name);
  // Each service logs in as its own NATS user; the keys are made once and kept in the home.
  const { credentials } = await ensureCredentialsDir(plan.busAuthDir);
  const started: { name: string; handle: ServerHandle }[] = [];
  const timed = async <H extends ServerHandle>(
    name: string,
    start: () => Promise<H>,
    where: (h: H) => string,
  ): Promise<H> => {
    const t0 = Date.now();
    try {
      const handle = await start();
      started.push({ name, handle });
      say(
        `✓ ${name.padEnd(14)} ${where(handle).padEnd(44)} ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
      );
      return handle;
    } catch (err) {
      throw new Error(`${name} did not start: ${(err as Error).message}`, { cause: err });
    }
  };
  const results = await Promise.allSettled([
    timed(
      'nats',
      () =>
        startNats({
          dataDir: dir('nats'),
          port: plan.servers.nats,
          monitorPort: plan.servers.natsMonitor,
          persistent: true,
          credentials,
        }),
      (h) => `${h.url} (monitor ${h.monitorUrl})`,
    ),
    timed(
      'postgresql',
      () => startPostgres({ dataDir: dir('postgres'), port: plan.servers.postgres, persistent: true }),
      (h) => h.url,
    ),
    timed(
      'redis',
      () => startRedis({ dataDir: dir('redis'), port: plan.servers.redis, persistent: true }),
      (h) => h.url,
    ),
    timed(
      's3 (radosgw)',
      () => startS3({ dataDir: dir('s3'), port: plan.servers.s3, persistent: true }),
      (h) => h.url,
    ),
  ] as const);
  const [nats, postgres, redis, s3] = results;
  if (
    nats.status === 'fulfilled' &&
    postgres.status === 'fulfilled' &&
    redis.status === 'fulfilled' &&
    s3.status === 'fulfilled'
  ) {
    return {
      handles: started,
      endpoints: {
        natsUrl: nats.value.url,
        natsAdminUrl: `nats://admin:${encodeURIComponent(credentials.admin.password)}@127.0.0.1:${nats.value.port}`,
        natsSeeds: serviceSeeds(nats.value.credentials),
        commandSigningKeys: await ensureCommandSigningKeys(plan.commandKeysFile),
        releaseSigningKeys: await ensureKeyRing(plan.releaseKeysFile, 'local-release'),
        postgresUrl: postgres.value.url,
        redisUrl: redis.value.url,
        s3: {
          url: s3.value.url,
          accessKey: s3.value.accessKey,
          secretKey: s3.value.secretKey,
          region: s3.value.region,
        },
      },
    };
  }
  // Wait for every start to settle first, so that nothing started late is left running.
  await Promise.allSettled(started.map((s) => s.handle.stop()));
  const reasons = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
  throw new Error(reasons.join('\n'));
}
