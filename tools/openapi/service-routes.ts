import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, type ConfigSchema } from '@muster/config';
import { describeRoutes, serviceSchema, type RouteDescription, type ServiceEntry } from '@muster/runtime';

const SERVICES_DIR = join(import.meta.dirname, '..', '..', 'services');

/** Settings that let every service's parts be built; nothing is connected to. */
const PLACEHOLDER_ENV: Record<string, string> = {
  MUSTER_NATS_URL: 'nats://127.0.0.1:4222',
  MUSTER_DATABASE_URL: 'postgres://openapi@127.0.0.1:5432/openapi',
  MUSTER_REDIS_URL: 'redis://127.0.0.1:6379',
  MUSTER_S3_ENDPOINT: 'http://127.0.0.1:9000',
  MUSTER_S3_ACCESS_KEY: 'openapi',
  MUSTER_S3_SECRET_KEY: 'openapi-secret',
  MUSTER_S3_REGION: 'us-east-1',
  MUSTER_S3_BUCKET: 'openapi',
  MUSTER_BOOT_PUBLIC_URL: 'http://boot.example:8085',
  // A placeholder key ring (a seed of zeros): parts are built, nothing is signed.
  MUSTER_RELEASE_SIGNING_KEYS: `openapi:${Buffer.alloc(32).toString('base64')}`,
  MUSTER_SITE_CACHE_ORIGIN: 'http://artifact-store.example:8084',
  MUSTER_SITE_ID: 'openapi',
};

function isEntry(value: unknown): value is ServiceEntry<ConfigSchema> {
  return (
    typeof value === 'object' && value !== null && 'name' in value && 'load' in value && 'httpPort' in value
  );
}

/** Every service of the repository (each directory of services/), by name. */
export function serviceDirectories(): string[] {
  return readdirSync(SERVICES_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

/** The routes a service's controllers declare, read from its parts as main.ts would load them. */
export async function serviceRoutes(dir: string): Promise<{ service: string; routes: RouteDescription[] }> {
  const module = (await import(join(SERVICES_DIR, dir, 'src', 'service.entry.ts'))) as Record<
    string,
    unknown
  >;
  const entry = Object.values(module).find(isEntry);
  if (!entry) throw new Error(`services/${dir}/src/service.entry.ts exports no service entry`);
  const schema = serviceSchema(entry);
  const config = loadConfig(schema, PLACEHOLDER_ENV, { allowUnknown: Object.keys(PLACEHOLDER_ENV) });
  const parts = await entry.load(config);
  return { service: entry.name, routes: describeRoutes(parts.features) };
}
