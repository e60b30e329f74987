import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { create } from '@bufbuild/protobuf';
import { timestampNow } from '@bufbuild/protobuf/wkt';
import {
  contracts,
  decode,
  MachineDiscoveredSchema,
  SiteChangedSchema,
  type MachineDiscovered,
} from '@muster/contracts';
import { EventPublisher, type BusConnection } from '@muster/messaging';
import { ownBus, readSubject, until } from '@muster/messaging/testing';
import { getFreePort } from '@muster/testing';
import { testOperatorToken } from '@muster/runtime/testing';
import { startServiceProcess, type ServiceProcess } from '../../../tools/stack/service-process.js';

export interface HttpResult {
  status: number;
  body: Record<string, unknown>;
}

/**
 * A discovery service as a process, on the run's real NATS and PostgreSQL, with its own
 * schema; and what a test needs around it: HTTP from a chosen local address, SQL in its
 * schema, the events it published for a site.
 */
export interface DiscoveryFixture {
  url: string;
  schema: string;
  /** POST/PUT/GET/DELETE with a JSON body; `from` binds a loopback source address. */
  http(method: string, path: string, body?: unknown, from?: string): Promise<HttpResult>;
  sql<T>(text: string, params?: unknown[]): Promise<T[]>;
  /** Every machine.discovered event published for the site, in stream order. */
  events(siteId: string): Promise<MachineDiscovered[]>;
  /**
   * Announces a site's networks as inventory does (`site.changed`, the next revision) and waits
   * until discovery's copy holds them; an empty list removes the site.
   */
  setSiteNetworks(siteId: string, cidrs: string[]): Promise<void>;
  /** The run's bus this discovery is on (a nats-server of its own). */
  bus: BusConnection;
  stop(): Promise<void>;
}

/** Inventory's catalog revisions only grow; a test's announcements do too. */
let revision = BigInt(Date.now()) * 1000n;

/**
 * Discovery on a nats-server of its own (its durable consumer of site events then sees no
 * other test's discovery) and the run's PostgreSQL.
 */
export async function startDiscovery(env: Record<string, string> = {}): Promise<DiscoveryFixture> {
  const servers = inject('servers');
  const nats = await ownBus();
  const logs = await mkdtemp(join(tmpdir(), 'muster-discovery-'));
  const schema = `disc_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  const service: ServiceProcess = startServiceProcess(
    'discovery',
    await getFreePort(),
    {
      MUSTER_NATS_URL: nats.server.url,
      MUSTER_DATABASE_URL: servers.postgres.url,
      MUSTER_DATABASE_SCHEMA: schema,
      MUSTER_LOG_LEVEL: 'warn',
      ...env,
    },
    logs,
  );
  await service.waitReady();
  const bus = nats.bus;
  const inventory = new EventPublisher(bus, '/muster/inventory');
  const { Client } = await import('pg');
  const db = new Client({ connectionString: servers.postgres.url });
  await db.connect();
  await db.query(`SET search_path = ${schema}`);
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  // Operator routes take a token; the report intake ignores it (it authenticates by network).
  const authorization = `Bearer ${await testOperatorToken(nats.server.url)}`;
  const url = new URL(service.url);

  return {
    url: service.url,
    schema,
    http: (method, path, body, from) =>
      new Promise<HttpResult>((resolve, reject) => {
        const payload = body === undefined ? undefined : JSON.stringify(body);
        const req = request(
          {
            host: url.hostname,
            port: url.port,
            method,
            path,
            agent: from ? undefined : agent,
            ...(from ? { localAddress: from } : {}),
            headers: payload ? { 'content-type': 'application/json', authorization } : { authorization },
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8').on('data', (d: string) => (text += d));
            res.on('end', () =>
              resolve({
                status: res.statusCode ?? 0,
                body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
              }),
            );
          },
        );
        req.on('error', reject);
        req.end(payload);
      }),
    sql: async <T>(text: string, params: unknown[] = []) => (await db.query(text, params)).rows as T[],
    events: async (siteId) =>
      (await readSubject(bus, 'INVENTORY', contracts.machineDiscovered.pattern({ siteId }))).map((m) =>
        decode(MachineDiscoveredSchema, m.data),
      ),
    bus,
    setSiteNetworks: async (siteId, cidrs) => {
      const next = ++revision;
      await inventory.publish(
        contracts.siteChanged,
        { siteId },
        create(SiteChangedSchema, {
          siteId,
          revision: next,
          site: { siteId, name: siteId, timeZone: 'UTC', networks: cidrs, revision: next },
          deleted: cidrs.length === 0,
          changedAt: timestampNow(),
        }),
      );
      await until(
        async () =>
          (
            await db.query('SELECT 1 FROM site_revision WHERE site_id = $1 AND revision = $2', [
              siteId,
              next.toString(),
            ])
          ).rowCount === 1,
        20_000,
        `discovery's copy of ${siteId}`,
      );
    },
    stop: async () => {
      agent.destroy();
      await db.end();
      await service.stop();
      await nats.close();
      await rm(logs, { recursive: true, force: true });
    },
  };
}

/** A site id of its own for one test. */
export function uniqueSite(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** A locally administered unicast MAC, distinct for each (tag, n). */
export function macOf(tag: number, n: number): string {
  return ['02', tag, (n >> 16) & 255, (n >> 8) & 255, n & 255, 7]
    .map((b) => (typeof b === 'number' ? b.toString(16).padStart(2, '0') : b))
    .join(':');
}
