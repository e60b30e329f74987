import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getReaper } from './internal/reaper.js';
import { serviceSeeds, startNats, type NatsServerHandle } from './nats.launcher.js';
import { startPostgres, type PostgresServerHandle } from './postgres.launcher.js';
import { startRedis, type RedisServerHandle } from './redis.launcher.js';
import { startS3, type S3ServerHandle } from './s3.launcher.js';
import type { ServerEndpoints } from './server-endpoints.js';

export interface TestServers {
  readonly endpoints: ServerEndpoints;
  /** The temporary directory holding every server's data and logs (removed by stop()). */
  readonly rootDir: string;
  readonly nats: NatsServerHandle;
  readonly postgres: PostgresServerHandle;
  readonly redis: RedisServerHandle;
  readonly s3: S3ServerHandle;
  /** Time from call to all four ready, in ms. */
  readonly startMs: number;
  /** Stops all four gracefully and removes rootDir. Idempotent. */
  stop(): Promise<void>;
}

/**
 * NATS (JetStream), PostgreSQL, Redis and S3 (radosgw), started concurrently in one temporary
 * directory on free loopback ports, in test mode. If this process dies, the watchdog stops them
 * and removes the directory.
 */
export async function startTestServers(options: { parentDir?: string } = {}): Promise<TestServers> {
  const started = Date.now();
  const reaper = await getReaper();
  const rootDir = await mkdtemp(join(options.parentDir ?? tmpdir(), 'muster-test-'));
  reaper.trackDir(rootDir);
  // Other users (postgres, when we are root) must be able to traverse it.
  await chmod(rootDir, 0o711);

  const results = await Promise.allSettled([
    startNats({ dataDir: join(rootDir, 'nats') }),
    startPostgres({ dataDir: join(rootDir, 'postgres') }),
    startRedis({ dataDir: join(rootDir, 'redis') }),
    startS3({ dataDir: join(rootDir, 's3') }),
  ] as const);
  const handles = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const stopAll = async () => {
    await Promise.allSettled(handles.map((h) => h.stop()));
    await rm(rootDir, { recursive: true, force: true, maxRetries: 3 });
    reaper.untrackDir(rootDir);
  };
  const [nats, postgres, redis, s3] = results;
  if (
    nats.status === 'rejected' ||
    postgres.status === 'rejected' ||
    redis.status === 'rejected' ||
    s3.status === 'rejected'
  ) {
    await stopAll();
    const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    const message = errors.map((e) => (e instanceof Error ? e.message : String(e))).join('\n\n');
    throw new AggregateError(errors, `test servers failed to start:\n${message}`);
  }

  const endpoints: ServerEndpoints = {
    nats: {
      url: nats.value.url,
      monitorUrl: nats.value.monitorUrl,
      seeds: serviceSeeds(nats.value.credentials),
    },
    postgres: {
      url: postgres.value.url,
      host: postgres.value.host,
      port: postgres.value.port,
      user: postgres.value.user,
      database: postgres.value.database,
    },
    redis: { url: redis.value.url, host: redis.value.host, port: redis.value.port },
    s3: {
      url: s3.value.url,
      endPoint: s3.value.endPoint,
      port: s3.value.port,
      useSSL: false,
      accessKey: s3.value.accessKey,
      secretKey: s3.value.secretKey,
      region: s3.value.region,
    },
  };
  let stopping: Promise<void> | undefined;
  return {
    endpoints,
    rootDir,
    nats: nats.value,
    postgres: postgres.value,
    redis: redis.value,
    s3: s3.value,
    startMs: Date.now() - started,
    stop: () => (stopping ??= stopAll()),
  };
}
