import { join } from 'node:path';
import { API_BASE_PORT } from '@muster/contracts';

/**
 * The services, their default HTTP port, and the extra servers each one needs. `site` is the
 * site cache: it has no database and reads through from the artifact store, as a cache at a
 * branch office does; the local stack runs one for the site `local`.
 */
export const SERVICES = [
  { name: 'discovery', port: 8081, needs: [] },
  { name: 'inventory', port: 8082, needs: [] },
  { name: 'image-build', port: 8083, needs: ['redis', 's3'] },
  { name: 'artifact-store', port: 8084, needs: ['s3'] },
  { name: 'boot', port: 8085, needs: [] },
  { name: 'scheduler', port: 8086, needs: [] },
  { name: 'agent-gateway', port: 8087, needs: [] },
  { name: 'api', port: 8088, needs: [] },
  { name: 'site-cache', port: 8089, needs: ['site'] },
] as const satisfies readonly { name: string; port: number; needs: readonly ServerNeed[] }[];

type ServerNeed = 'redis' | 's3' | 'site';
const LOCAL_SITE_CACHE_BYTES = 10 * 1024 ** 3;

export type ServiceName = (typeof SERVICES)[number]['name'];

/** Default server ports: away from the well-known ones, so a system PostgreSQL or Redis can stay. */
export const SERVER_PORTS = {
  nats: 14222,
  natsMonitor: 18222,
  postgres: 15432,
  redis: 16379,
  s3: 17480,
} as const;

export const ARTIFACT_BUCKET = 'muster-artifacts';

export interface StackOptions {
  /** Everything the stack keeps: data of every server, logs. */
  home: string;
  /** Added to every port, to run a second stack beside the first. */
  portOffset: number;
}

export interface StackPlan {
  home: string;
  dataDir: string;
  /** The bus credentials (`@muster/bus-auth`): made on the first start, kept afterwards. */
  busAuthDir: string;
  logDir: string;
  servers: Record<keyof typeof SERVER_PORTS, number>;
  /** The one base URL (every service's API under /v1), served by the stack's proxy. */
  apiPort: number;
  /** `{ url, token }` of the local operator, for the CLI (mode 0600). */
  operatorFile: string;
  /** agent-gateway's command-signing key ring, made on the first start. */
  commandKeysFile: string;
  /** artifact-store's release-signing key ring, made on the first start. */
  releaseKeysFile: string;
  /** The local site cache's chunk store. */
  siteCacheDir: string;
  services: { name: ServiceName; port: number; needs: readonly ServerNeed[] }[];
}

export function planStack(options: StackOptions): StackPlan {
  const shift = (port: number): number => port + options.portOffset;
  const servers = Object.fromEntries(
    Object.entries(SERVER_PORTS).map(([k, p]) => [k, shift(p)]),
  ) as StackPlan['servers'];
  return {
    home: options.home,
    dataDir: join(options.home, 'data'),
    busAuthDir: join(options.home, 'bus-auth'),
    logDir: join(options.home, 'logs'),
    servers,
    apiPort: shift(API_BASE_PORT),
    operatorFile: join(options.home, 'operator.json'),
    commandKeysFile: join(options.home, 'command-signing-keys'),
    releaseKeysFile: join(options.home, 'release-signing-keys'),
    siteCacheDir: join(options.home, 'site-cache'),
    services: SERVICES.map((s) => ({ ...s, port: shift(s.port) })),
  };
}

export interface Endpoints {
  natsUrl: string;
  /** The bus administrator (tools such as the operator-token bootstrap), never a service. */
  natsAdminUrl: string;
  /** Each service's own NATS user (nkey seed), kept under the stack's home. */
  natsSeeds: Readonly<Record<ServiceName, string>>;
  postgresUrl: string;
  redisUrl: string;
  s3: { url: string; accessKey: string; secretKey: string; region: string };
  /** MUSTER_COMMAND_SIGNING_KEYS of agent-gateway. */
  commandSigningKeys: string;
  /** MUSTER_RELEASE_SIGNING_KEYS of artifact-store. */
  releaseSigningKeys: string;
}

/** Exactly the MUSTER_* settings one service uses (an unknown one would stop it). */
export function serviceEnv(
  service: StackPlan['services'][number],
  e: Endpoints,
  plan: StackPlan,
): Record<string, string> {
  const env: Record<string, string> = {
    MUSTER_HTTP_HOST: '127.0.0.1',
    MUSTER_HTTP_PORT: String(service.port),
    MUSTER_NATS_URL: e.natsUrl,
    MUSTER_NATS_NKEY_SEED: e.natsSeeds[service.name],
    MUSTER_LOG_LEVEL: 'info',
  };
  if (!service.needs.includes('site')) env.MUSTER_DATABASE_URL = e.postgresUrl;
  if (service.name === 'agent-gateway') env.MUSTER_COMMAND_SIGNING_KEYS = e.commandSigningKeys;
  if (service.name === 'artifact-store') env.MUSTER_RELEASE_SIGNING_KEYS = e.releaseSigningKeys;
  if (service.needs.includes('site')) {
    const origin = plan.services.find((s) => s.name === 'artifact-store')!;
    env.MUSTER_SITE_CACHE_ORIGIN = `http://127.0.0.1:${origin.port}`;
    env.MUSTER_SITE_CACHE_DIR = plan.siteCacheDir;
    env.MUSTER_SITE_CACHE_MAX_BYTES = String(LOCAL_SITE_CACHE_BYTES);
    env.MUSTER_SITE_ID = 'local';
    env.MUSTER_SITE_CACHE_PUBLIC_URL = `http://127.0.0.1:${service.port}`;
  }
  if (service.name === 'boot') env.MUSTER_BOOT_PUBLIC_URL = `http://127.0.0.1:${service.port}`;
  if (service.needs.includes('redis')) env.MUSTER_REDIS_URL = e.redisUrl;
  if (service.needs.includes('s3')) {
    env.MUSTER_S3_ENDPOINT = e.s3.url;
    env.MUSTER_S3_ACCESS_KEY = e.s3.accessKey;
    env.MUSTER_S3_SECRET_KEY = e.s3.secretKey;
    env.MUSTER_S3_REGION = e.s3.region;
    env.MUSTER_S3_BUCKET = ARTIFACT_BUCKET;
  }
  return env;
}

/** `--home DIR` and `--port-offset N`, or MUSTER_STACK_HOME / MUSTER_STACK_PORT_OFFSET. */
export function parseStackArgs(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  repoRoot: string,
): StackOptions {
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const home = value('--home') ?? env.MUSTER_STACK_HOME ?? join(repoRoot, '.muster');
  const offsetText = value('--port-offset') ?? env.MUSTER_STACK_PORT_OFFSET ?? '0';
  const portOffset = Number(offsetText);
  if (!Number.isInteger(portOffset) || portOffset < -8000 || portOffset > 40000) {
    throw new Error(
      `--port-offset must be a whole number between -8000 and 40000, not ${JSON.stringify(offsetText)}`,
    );
  }
  return { home, portOffset };
}
