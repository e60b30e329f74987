import type { Server } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { loadConfig, type ConfigSchema } from '@muster/config';
import { createLogger } from '@muster/observability';
import { testOperatorToken } from './operator-token.fixture.js';
import { createServiceApp, serviceSchema, type ServiceContext, type ServiceEntry } from '../src/index.js';

export interface RunningService {
  readonly app: INestApplication;
  readonly url: string;
  /** An operator API token valid on this service (and every service on the same bus). */
  readonly token: string;
  close(): Promise<void>;
}

/** Where an operator's request goes, and the token it carries. */
export interface OperatorTarget {
  readonly url: string;
  readonly token: string;
}

/**
 * Starts a service's entry in this process, as main.ts would, with `env` as its whole
 * environment (settings it does not read are ignored); on a free port unless
 * MUSTER_HTTP_PORT is given. An operator token is put into the bus's API_TOKENS bucket first
 * (`token`, what operatorFetch sends).
 */
export async function startServiceInProcess<E extends ConfigSchema, D extends boolean = true>(
  entry: ServiceEntry<E, D>,
  env: Readonly<Record<string, string>>,
): Promise<RunningService> {
  const schema = serviceSchema(entry);
  const config = loadConfig(
    schema,
    { MUSTER_HTTP_PORT: '0', ...env, MUSTER_HTTP_HOST: '127.0.0.1' },
    {
      allowUnknown: Object.keys(env),
    },
  );
  const base = config as unknown as ServiceContext['config'];
  const token = await testOperatorToken(base.nats.servers);
  const logger = createLogger({ service: entry.name, level: 'error' });
  const app = await createServiceApp({ name: entry.name, config: base, logger }, await entry.load(config));
  await app.listen(base.http.port, '127.0.0.1');
  const address = (app.getHttpServer() as Server).address() as { port: number };
  return { app, url: `http://127.0.0.1:${address.port}`, token, close: () => app.close() };
}

/**
 * An operator's request to a running service: every operator route takes an API token, and
 * this is the one place tests attach it. A service started as a process is `{ url, token }`
 * with the token from `testOperatorToken(natsUrl)`.
 */
export async function operatorFetch(
  service: OperatorTarget,
  path: string,
  init: RequestInit = {},
): Promise<Response> {
  const headers = new Headers(init.headers);
  if (!headers.has('authorization')) headers.set('authorization', `Bearer ${service.token}`);
  return fetch(`${service.url}${path}`, { ...init, headers });
}

export { testOperatorToken };
