import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { contracts, MachineDiscoveredSchema, MachineUpdatedSchema, decode } from '@muster/contracts';
import { EventPublisher } from '@muster/messaging';
import { ownBus, readSubject, until } from '@muster/messaging/testing';
import { getFreePort } from '@muster/testing';
import { startServiceProcess, type ServiceProcess } from '../../tools/stack/service-process.js';

/**
 * ADR 3: order is per entity, by revision, not by arrival. Discovery events for one machine
 * delivered out of order (as after a relay failure mid-batch, or a replay) leave inventory and
 * boot on the highest revision, and inventory announces each change it applied exactly once.
 */
let env: Awaited<ReturnType<typeof ownBus>>;
let logs: string;
let db: pg.Client;
const tag = randomUUID().replace(/-/g, '').slice(0, 10);
const siteId = `order-${tag.slice(0, 6)}`;
const services: ServiceProcess[] = [];

beforeAll(async () => {
  env = await ownBus();
  logs = await mkdtemp(join(tmpdir(), 'muster-order-'));
  const pgUrl = inject('servers').postgres.url;
  for (const name of ['inventory', 'boot']) {
    const port = await getFreePort();
    services.push(
      startServiceProcess(
        name,
        port,
        {
          MUSTER_NATS_URL: env.server.url,
          MUSTER_DATABASE_URL: pgUrl,
          MUSTER_DATABASE_SCHEMA: `${name}_${tag}`,
          MUSTER_LOG_LEVEL: 'warn',
          ...(name === 'boot' ? { MUSTER_BOOT_PUBLIC_URL: `http://127.0.0.1:${port}` } : {}),
        },
        logs,
      ),
    );
  }
  await Promise.all(services.map((s) => s.waitReady()));
  db = new pg.Client({ connectionString: pgUrl });
  await db.connect();
});

afterAll(async () => {
  await Promise.all(services.map((s) => s.stop()));
  await db?.end();
  await env?.close();
  if (logs) await rm(logs, { recursive: true, force: true });
});

const publisher = () => new EventPublisher(env.bus, '/muster/discovery');

function discovered(machineId: string, revision: number, macs: string[], serial: string) {
  return create(MachineDiscoveredSchema, {
    machineId,
    siteId,
    identity: { macs, serial },
    bootMac: macs[0]!,
    ipAddress: '10.0.0.9',
    discoveredAt: timestampFromDate(new Date(Date.UTC(2026, 10, 30, 8, 0, revision))),
    hardware: {},
    rediscovered: revision > 1,
    revision: BigInt(revision),
  });
}

async function inventoryRow(machineId: string) {
  const r = await db.query<{ serial: string; macs: string[]; revision: string; discovery_revision: string }>(
    `SELECT serial, macs, revision, discovery_revision FROM inventory_${tag}.machine WHERE machine_id = $1`,
    [machineId],
  );
  return r.rows[0];
}

async function bootMacs(machineId: string): Promise<string[] | undefined> {
  const r = await db.query<{ macs: string[]; discovery_revision: string }>(
    `SELECT macs, discovery_revision FROM boot_${tag}.boot_machine WHERE machine_id = $1`,
    [machineId],
  );
  return r.rows[0]?.discovery_revision === undefined ? undefined : r.rows[0].macs;
}

async function historyKinds(machineId: string): Promise<string[]> {
  const r = await db.query<{ kind: string }>(
    `SELECT kind FROM inventory_${tag}.machine_history WHERE machine_id = $1 ORDER BY id`,
    [machineId],
  );
  return r.rows.map((row) => row.kind);
}

describe('events apply in the order of their entity revision, not of arrival', () => {
  it('a newer identity replaces the old one; an older event arriving later changes nothing', async () => {
    const machineId = randomUUID();
    const p = publisher();
    const params = { siteId, machineId };
    await p.publish(
      contracts.machineDiscovered,
      params,
      discovered(machineId, 1, ['02:00:00:00:01:01'], 'S1'),
    );
    await until(async () => (await historyKinds(machineId)).length === 1, 30_000, 'first discovery');
    // The NIC is replaced: discovery's record moves to revision 2.
    await p.publish(
      contracts.machineDiscovered,
      params,
      discovered(machineId, 2, ['02:00:00:00:01:02'], 'S1'),
    );
    await until(async () => (await historyKinds(machineId)).length === 2, 30_000, 'rediscovery');
    // Revision 1 again, late (a replay, or a relay that failed mid-batch and retried).
    await p.publish(
      contracts.machineDiscovered,
      params,
      discovered(machineId, 1, ['02:00:00:00:01:01'], 'S1'),
    );
    await until(async () => (await historyKinds(machineId)).length === 3, 30_000, 'late event');

    expect(await historyKinds(machineId)).toEqual(['discovered', 'identity-changed', 'rediscovered']);
    const row = await inventoryRow(machineId);
    expect(row).toMatchObject({ macs: ['02:00:00:00:01:02'], discovery_revision: '2', revision: '2' });
    await until(
      async () => JSON.stringify(await bootMacs(machineId)) === JSON.stringify(['02:00:00:00:01:02']),
      30_000,
      'boot to hold the new MAC only',
    );

    const updates = (
      await readSubject(env.bus, 'INVENTORY', contracts.machineUpdated.pattern({ siteId, machineId }))
    ).map((m) => decode(MachineUpdatedSchema, m.data));
    expect(updates.map((u) => u.revision)).toEqual([1n, 2n]);
    expect(updates[1]!.changedFields).toEqual(['identity', 'hardware']);
  });

  it('when the newer event arrives first, the older one is never applied', async () => {
    const machineId = randomUUID();
    const p = publisher();
    const params = { siteId, machineId };
    await p.publish(
      contracts.machineDiscovered,
      params,
      discovered(machineId, 3, ['02:00:00:00:02:03'], 'S3'),
    );
    await until(async () => (await historyKinds(machineId)).length === 1, 30_000, 'revision 3');
    await p.publish(
      contracts.machineDiscovered,
      params,
      discovered(machineId, 2, ['02:00:00:00:02:02'], 'S2'),
    );
    await until(async () => (await historyKinds(machineId)).length === 2, 30_000, 'revision 2');
    expect(await inventoryRow(machineId)).toMatchObject({ serial: 'S3', discovery_revision: '3' });
    await until(
      async () => JSON.stringify(await bootMacs(machineId)) === JSON.stringify(['02:00:00:00:02:03']),
      30_000,
      'boot to keep revision 3',
    );
  });
});
