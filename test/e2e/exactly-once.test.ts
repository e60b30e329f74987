import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create } from '@bufbuild/protobuf';
import { timestampNow } from '@bufbuild/protobuf/wkt';
import { contracts, headers as H, MachineDiscoveredSchema } from '@muster/contracts';
import { EventPublisher } from '@muster/messaging';
import { ownBus, publishRaw, readSubject, until } from '@muster/messaging/testing';
import { operatorFetch, testOperatorToken } from '@muster/runtime/testing';
import { getFreePort, startPostgres, type PostgresServerHandle } from '@muster/testing';
import { startServiceProcess, type ServiceProcess } from '../../tools/stack/service-process.js';

/**
 * discovery → machine.discovered → inventory, with real processes, a real nats-server and
 * PostgreSQL. Every discovered machine must have exactly one history entry in inventory, the
 * effect of its one event, whatever happens in between.
 */
// This file's own PostgreSQL, so that it can be restarted without disturbing other tests.
let postgres: PostgresServerHandle;
let pgUrl: string;
const siteId = `site-${randomUUID().slice(0, 8)}`;
const tag = randomUUID().replace(/-/g, '').slice(0, 10);
let env: Awaited<ReturnType<typeof ownBus>>;
let logs: string;
let discovery: ServiceProcess;
let inventory: ServiceProcess;
let inventoryPort: number;

function startInventory(): ServiceProcess {
  return startServiceProcess(
    'inventory',
    inventoryPort,
    {
      MUSTER_NATS_URL: env.server.url,
      // Its own NATS user: the journey runs under least-privilege permissions.
      MUSTER_NATS_NKEY_SEED: env.server.credentials.services.inventory.seed,
      MUSTER_DATABASE_URL: pgUrl,
      MUSTER_DATABASE_SCHEMA: `inv_${tag}`,
      MUSTER_LOG_LEVEL: 'warn',
    },
    logs,
  );
}

beforeAll(async () => {
  env = await ownBus();
  logs = await mkdtemp(join(tmpdir(), 'muster-e2e-'));
  postgres = await startPostgres({ dataDir: join(logs, 'postgres') });
  pgUrl = postgres.url;
  inventoryPort = await getFreePort();
  discovery = startServiceProcess(
    'discovery',
    await getFreePort(),
    {
      MUSTER_NATS_URL: env.server.url,
      MUSTER_NATS_NKEY_SEED: env.server.credentials.services.discovery.seed,
      MUSTER_DATABASE_URL: pgUrl,
      MUSTER_DATABASE_SCHEMA: `disc_${tag}`,
      MUSTER_LOG_LEVEL: 'warn',
    },
    logs,
  );
  inventory = startInventory();
  await Promise.all([discovery.waitReady(), inventory.waitReady()]);
  // The server decides a machine's site from its networks; this test's reports come from here.
  const operator = { url: discovery.url, token: await testOperatorToken(env.server.url) };
  const put = await operatorFetch(operator, `/v1/discovery/site-networks/${siteId}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ cidrs: ['127.0.0.1/32'] }),
  });
  if (!put.ok) throw new Error(`site networks: ${put.status} ${await put.text()}`);
});

afterAll(async () => {
  await Promise.all([discovery?.stop(), inventory?.stop()]);
  await env?.close();
  await postgres?.stop();
  if (logs) await rm(logs, { recursive: true, force: true });
});

/** A locally administered unicast MAC unique to this run and n. */
const mac = (n: number): string =>
  [
    '02',
    tag.slice(0, 2),
    ...[(n >> 16) & 255, (n >> 8) & 255, n & 255, 1].map((b) => b.toString(16).padStart(2, '0')),
  ].join(':');

async function report(n: number): Promise<string> {
  const res = await fetch(`${discovery.url}/v1/discovery/reports`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      macs: [mac(n)],
      serial: `SN-${tag}-${n}`,
      siteId,
      hardware: { memoryBytes: '8589934592' },
    }),
  });
  if (res.status !== 201) throw new Error(`report ${n}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { machineId: string }).machineId;
}

async function reportMany(from: number, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = from; i < from + count; i += 20) {
    ids.push(
      ...(await Promise.all(Array.from({ length: Math.min(20, from + count - i) }, (_, k) => report(i + k)))),
    );
  }
  return ids;
}

/** history rows per machine of this test's site, straight from inventory's database. */
async function historyCounts(): Promise<Map<string, number>> {
  const { Client } = await import('pg');
  const client = new Client({ connectionString: pgUrl });
  await client.connect();
  try {
    const r = await client.query<{ machine_id: string; n: number }>(
      `SELECT m.machine_id, count(h.id)::int AS n FROM inv_${tag}.machine m
         LEFT JOIN inv_${tag}.machine_history h ON h.machine_id = m.machine_id
        WHERE m.site_id = $1 GROUP BY m.machine_id`,
      [siteId],
    );
    return new Map(r.rows.map((row) => [row.machine_id, row.n]));
  } catch (err) {
    if ((err as { code?: string }).code === '42P01') return new Map();
    throw err;
  } finally {
    await client.end();
  }
}

/** A counter's value from Prometheus text, optionally for one consumer label. */
function metric(text: string, name: string, consumer?: string): number {
  const line = text
    .split('\n')
    .find((l) => l.startsWith(name) && (consumer === undefined || l.includes(`consumer="${consumer}"`)));
  return line ? Number(line.split(' ').at(-1)) : NaN;
}

async function expectEachAppliedOnce(ids: readonly string[]): Promise<void> {
  await until(
    async () => (await historyCounts()).size >= ids.length,
    90_000,
    `${ids.length} machines in inventory`,
  );
  const counts = await historyCounts();
  expect(counts.size).toBe(ids.length);
  for (const id of ids) expect(counts.get(id), `history of ${id}`).toBe(1);
}

describe('an event from discovery takes effect in inventory exactly once', () => {
  const all: string[] = [];

  it('when the producer publishes the same event twice, inside and beyond the de-duplication window', async () => {
    all.push(...(await reportMany(0, 5)));
    await expectEachAppliedOnce(all);
    const subject = contracts.machineDiscovered.pattern({ siteId });
    const stored = await readSubject(env.bus, contracts.machineDiscovered.stream, subject);
    expect(stored).toHaveLength(5);
    const original = stored[0]!;
    // Same id: JetStream drops it inside the window.
    const again = await publishRaw(
      env.bus,
      original.subject,
      original.data,
      original.headers,
      original.headers[H.ceId]!,
    );
    expect(again.duplicate).toBe(true);
    // A different transport id with the same event id: as if the window had passed. The inbox catches it.
    const late = await publishRaw(env.bus, original.subject, original.data, original.headers, randomUUID());
    expect(late.duplicate).toBe(false);
    await until(
      async () => {
        const info = await env.bus.jsm.consumers.info(
          contracts.machineDiscovered.stream,
          'inventory-machine-discovered',
        );
        return info.num_pending === 0 && info.num_ack_pending === 0;
      },
      20_000,
      'inventory to take the late copy',
    );
    await expectEachAppliedOnce(all);
    // The late copy was processed (and acknowledged) too; it just had no effect.
    const inventoryMetrics = await (await fetch(`${inventory.url}/metrics`)).text();
    expect(metric(inventoryMetrics, 'muster_messages_processed_total', 'inventory-machine-discovered')).toBe(
      6,
    );
    const discoveryMetrics = await (await fetch(`${discovery.url}/metrics`)).text();
    expect(metric(discoveryMetrics, 'muster_outbox_published_total')).toBe(5);
  });

  it('when the consumer is killed mid-processing and restarted', async () => {
    const wave = reportMany(1_000, 300);
    await until(
      async () => (await historyCounts()).size >= all.length + 30,
      60_000,
      'inventory to be mid-way',
    );
    const killed = await inventory.stop('SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    all.push(...(await wave));
    expect((await historyCounts()).size).toBeLessThan(all.length);
    inventory = startInventory();
    await inventory.waitReady();
    await expectEachAppliedOnce(all);
  });

  it('when nats-server is restarted', async () => {
    const before = reportMany(2_000, 100);
    await until(async () => (await historyCounts()).size >= all.length + 10, 60_000, 'the wave to start');
    await env.server.restart();
    all.push(...(await before));
    all.push(...(await reportMany(3_000, 50)));
    await expectEachAppliedOnce(all);
  });

  it('when PostgreSQL is restarted while events keep arriving', async () => {
    all.push(...(await reportMany(4_000, 50)));
    await postgres.stop();
    // Another producer goes on publishing while inventory's database is down.
    const publisher = new EventPublisher(env.bus, '/muster/test');
    for (let n = 5_000; n < 5_050; n++) {
      const machineId = randomUUID();
      await publisher.publish(
        contracts.machineDiscovered,
        { siteId, machineId },
        create(MachineDiscoveredSchema, {
          machineId,
          siteId,
          identity: { macs: [mac(n)] },
          bootMac: mac(n),
          ipAddress: '10.0.0.1',
          discoveredAt: timestampNow(),
          hardware: {},
        }),
      );
      all.push(machineId);
    }
    await new Promise((r) => setTimeout(r, 1_500));
    postgres = await startPostgres({ dataDir: join(logs, 'postgres'), port: postgres.port });
    await expectEachAppliedOnce(all);
  });
});
