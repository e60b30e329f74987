import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSigningKey, keyRingEntry } from '@muster/command-signing';
import type { ConfigSchema } from '@muster/config';
import { streams } from '@muster/contracts';
import { BusConnection } from '@muster/messaging';
import type { ServiceEntry } from '@muster/runtime';
import { uniqueBucketName, uniqueName, type ServerEndpoints } from '@muster/testing';

const SERVICES_DIR = join(import.meta.dirname, '..', '..', 'services');

/** Every service in the repository: a new one is walked by the edge tests without being listed. */
export const serviceNames: readonly string[] = readdirSync(SERVICES_DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

function isEntry(value: unknown): value is ServiceEntry<ConfigSchema> {
  return (
    typeof value === 'object' && value !== null && 'name' in value && 'load' in value && 'httpPort' in value
  );
}

/** The entry a service's main.ts runs (its `src/service.entry.ts`). */
export async function serviceEntry(name: string): Promise<ServiceEntry<ConfigSchema>> {
  const module = (await import(join(SERVICES_DIR, name, 'src', 'service.entry.ts'))) as Record<
    string,
    unknown
  >;
  const entry = Object.values(module).find(isEntry);
  if (!entry) throw new Error(`services/${name}/src/service.entry.ts exports no service entry`);
  return entry;
}

const EDGE_RELEASE_KEYS = keyRingEntry('edge', generateSigningKey('edge').seed);

/** Every setting any service reads, pointing at the test servers; each service takes what it reads. */
export function serviceTestEnv(
  servers: ServerEndpoints,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    MUSTER_NATS_URL: servers.nats.url,
    MUSTER_DATABASE_URL: servers.postgres.url,
    MUSTER_DATABASE_SCHEMA: uniqueName('edge'),
    MUSTER_REDIS_URL: servers.redis.url,
    MUSTER_S3_ENDPOINT: servers.s3.url,
    MUSTER_S3_ACCESS_KEY: servers.s3.accessKey,
    MUSTER_S3_SECRET_KEY: servers.s3.secretKey,
    MUSTER_S3_REGION: servers.s3.region,
    MUSTER_S3_BUCKET: uniqueBucketName('edge'),
    MUSTER_BOOT_PUBLIC_URL: 'http://boot.test:8085',
    MUSTER_RELEASE_SIGNING_KEYS: EDGE_RELEASE_KEYS,
    MUSTER_SITE_CACHE_ORIGIN: 'http://artifact-store.test:8084',
    MUSTER_SITE_CACHE_DIR: join(tmpdir(), uniqueName('edge-site-cache')),
    MUSTER_SITE_ID: 'edge',
    MUSTER_LOG_LEVEL: 'error',
    ...extra,
  };
}

/**
 * Creates every stream, as the producers would on a running bus: a service that only reads a
 * stream waits at start until its producer has created it, and these tests start services one
 * at a time, in any order.
 */
export async function ensureAllStreams(natsUrl: string): Promise<void> {
  const bus = await BusConnection.connect({ servers: [natsUrl], name: 'test-producers', streams });
  await bus.close();
}
