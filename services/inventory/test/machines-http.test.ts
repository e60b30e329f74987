import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { create } from '@bufbuild/protobuf';
import { MachineDiscoveredSchema } from '@muster/contracts';
import { operatorFetch, startServiceInProcess, type RunningService } from '@muster/runtime/testing';
import { uniqueName } from '@muster/testing';
import { machineFromDiscovery } from '../src/machines/machine-record.js';
import { MachinesRepository } from '../src/machines/machines.repository.js';
import { inventoryService } from '../src/service.entry.js';

let inventory: RunningService;
const site = 'branch-042';
const ids = [randomUUID(), randomUUID(), randomUUID()].sort();

beforeAll(async () => {
  const servers = inject('servers');
  inventory = await startServiceInProcess(inventoryService, {
    MUSTER_NATS_URL: servers.nats.url,
    MUSTER_DATABASE_URL: servers.postgres.url,
    MUSTER_DATABASE_SCHEMA: uniqueName('inv'),
  });
  const machines = inventory.app.get(MachinesRepository);
  await machines.ds.transaction(async (m) => {
    const rows = ids.map((machineId) =>
      machineFromDiscovery(
        create(MachineDiscoveredSchema, {
          machineId,
          siteId: site,
          identity: { macs: ['52:54:00:00:00:09'] },
        }),
      ),
    );
    await machines.insertNew(m, rows);
    await machines.appendHistory(
      m,
      [1, 2, 3].map((n) => ({
        machineId: ids[0]!,
        eventId: `e${n}`,
        kind: 'discovered',
        revision: String(n),
        detail: {},
      })),
    );
  });
});

afterAll(async () => inventory?.close());

const get = async (path: string) => {
  const res = await operatorFetch(inventory, path);
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    body: (await res.json()) as Record<string, unknown>,
  };
};

describe('GET /v1/machines', () => {
  it('filters by state in the spelling it returns', async () => {
    const all = await get(`/v1/machines?siteId=${site}`);
    const returned = (all.body['machines'] as { state: string }[])[0]!.state;
    expect(returned).toBe('MACHINE_STATE_DISCOVERED');
    for (const spelling of [returned, 'DISCOVERED', 'discovered']) {
      const filtered = await get(`/v1/machines?siteId=${site}&state=${spelling}`);
      expect((filtered.body['machines'] as unknown[]).length).toBe(3);
    }
    expect((await get(`/v1/machines?siteId=${site}&state=MACHINE_STATE_DEPLOYED`)).body['machines']).toEqual(
      [],
    );
    const bad = await get('/v1/machines?state=MACHINE_STATE_BOGUS');
    expect(bad.status).toBe(400);
    expect(bad.body['invalid-params']).toMatchObject([{ name: 'state', in: 'query' }]);
  });

  it('pages with `next` and refuses a page larger than 1000', async () => {
    const first = await get(`/v1/machines?siteId=${site}&limit=2`);
    const second = await get(`/v1/machines?siteId=${site}&limit=2&after=${first.body['next'] as string}`);
    const seen = [
      ...(first.body['machines'] as { machineId: string }[]),
      ...(second.body['machines'] as { machineId: string }[]),
    ];
    expect(seen.map((m) => m.machineId)).toEqual(ids);
    expect(second.body['next']).toBeUndefined();
    const tooMany = await get('/v1/machines?limit=1001');
    expect(tooMany.status).toBe(400);
    expect(tooMany.body['invalid-params']).toMatchObject([{ name: 'limit', in: 'query' }]);
  });
});

describe('GET /v1/machines/:id/history', () => {
  it('pages a machine history, oldest first', async () => {
    const first = await get(`/v1/machines/${ids[0]}/history?limit=2`);
    expect((first.body['history'] as { eventId: string }[]).map((h) => h.eventId)).toEqual(['e1', 'e2']);
    const rest = await get(`/v1/machines/${ids[0]}/history?limit=2&after=${first.body['next'] as string}`);
    expect((rest.body['history'] as { eventId: string }[]).map((h) => h.eventId)).toEqual(['e3']);
    expect(rest.body['next']).toBeUndefined();
    expect((await get(`/v1/machines/${ids[0]}/history?limit=1001`)).status).toBe(400);
  });

  it('answers 404 for a machine it does not know, and an empty page for one without history', async () => {
    const unknown = await get(`/v1/machines/${randomUUID()}/history`);
    expect(unknown.status).toBe(404);
    expect(unknown.type).toMatch(/^application\/problem\+json/);
    expect(unknown.body).toMatchObject({ type: 'https://muster.dev/problems/not-found', status: 404 });
    expect((await get(`/v1/machines/${ids[1]}/history`)).body).toEqual({ history: [] });
  });

  it('names the id when it is not a machine id', async () => {
    const bad = await get('/v1/machines/not-a-uuid/history');
    expect(bad.status).toBe(400);
    expect(bad.body['invalid-params']).toMatchObject([{ name: 'id', in: 'path' }]);
  });
});
