import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create } from '@bufbuild/protobuf';
import { MachineDiscoveredSchema } from '@muster/contracts';
import type { MachineEntity } from '../src/machines/machine.entity.js';
import { machineFromDiscovery } from '../src/machines/machine-record.js';
import { MachinesRepository } from '../src/machines/machines.repository.js';
import { startInventory, type Inventory } from './inventory-fixture.js';

/**
 * `GET /v1/machines`: every sort pages through the whole set with no machine twice and none
 * missed, ties and missing keys included; every filter returns what it says.
 */
let inv: Inventory;
const rows: MachineEntity[] = [];
const R1 = randomUUID();
const R2 = randomUUID();
const SEEN = [null, '2026-11-30T08:00:00.000001Z', '2026-11-30T08:00:00.000002Z', '2026-11-30T09:30:00Z'];
const HOSTS = [null, 'alpha', 'bravo', 'bravo-2', 'Charlie'];
const UPDATED = ['2026-11-29T00:00:00Z', '2026-11-30T00:00:00Z'];

beforeAll(async () => {
  inv = await startInventory({ ownNats: true });
  for (let i = 0; i < 64; i++) {
    const row = machineFromDiscovery(
      create(MachineDiscoveredSchema, {
        machineId: randomUUID(),
        siteId: i % 2 ? 'site-a' : 'site-b',
        identity: { serial: `SN${i}`, macs: ['52:54:00:00:00:01'] },
      }),
    );
    const seen = SEEN[i % SEEN.length]!;
    rows.push({
      ...row,
      state: i % 3 === 0 ? 'DEPLOYED' : 'DISCOVERED',
      groupId: i % 4 === 0 ? 'tills' : null,
      profileId: i % 5 === 0 ? 'pos' : null,
      labels: { ...(i % 2 ? { role: 'till' } : { role: 'kiosk' }), ...(i % 7 === 0 ? { gpu: 'yes' } : {}) },
      hostname: HOSTS[i % HOSTS.length] ?? null,
      lastSeen: seen ? new Date(seen) : null,
      updatedAt: new Date(UPDATED[i % UPDATED.length]!),
      desiredReleaseId: i % 6 === 0 ? R1 : null,
      currentReleaseId: i % 9 === 0 ? R2 : null,
    });
  }
  const machines = inv.service.app.get(MachinesRepository);
  await machines.ds.transaction((m) => machines.insertNew(m, rows));
  // Timestamps with microseconds the JavaScript Date cannot hold: the cursor must keep them.
  await inv.ds.query(
    `UPDATE machine SET last_seen = last_seen + interval '1 microsecond' * (hashtext(machine_id::text) % 2) WHERE last_seen IS NOT NULL`,
  );
});

afterAll(async () => inv?.close());

async function all(query: string, limit = 7): Promise<string[]> {
  const ids: string[] = [];
  let after: string | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const res = await inv.call(
      'GET',
      `/v1/machines?${query}&limit=${limit}${after ? `&after=${after}` : ''}`,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    ids.push(...res.body.machines!.map((m: { machineId: string }) => m.machineId));
    if (!res.body.next) return ids;
    after = res.body.next;
  }
  throw new Error('more than 100 pages');
}

async function expected(orderBy: string, where = 'true'): Promise<string[]> {
  return (
    await inv.ds.query<{ machine_id: string }[]>(
      `SELECT machine_id FROM machine m WHERE ${where} ORDER BY ${orderBy}`,
    )
  ).map((r) => r.machine_id);
}

describe('paging through every sort', () => {
  it.each([
    ['machineId', 'm.machine_id'],
    ['lastSeen', `COALESCE(m.last_seen, '-infinity'), m.machine_id`],
    ['-lastSeen', `COALESCE(m.last_seen, '-infinity') DESC, m.machine_id DESC`],
    ['hostname', `COALESCE(m.hostname, '') COLLATE "C", m.machine_id`],
    ['updatedAt', 'm.updated_at, m.machine_id'],
    ['-updatedAt', 'm.updated_at DESC, m.machine_id DESC'],
  ])('%s: every machine once, in order, across pages of 7', async (sort, orderBy) => {
    const ids = await all(`sort=${sort}`);
    expect(ids).toHaveLength(64);
    expect(new Set(ids).size).toBe(64);
    expect(ids).toEqual(await expected(orderBy));
  });

  it('keeps a filter and a sort across pages', async () => {
    expect(await all('sort=-lastSeen&site=site-a&label=role%3Dtill', 3)).toEqual(
      await expected(`COALESCE(m.last_seen, '-infinity') DESC, m.machine_id DESC`, `site_id = 'site-a'`),
    );
  });

  it('refuses a cursor of another sort and a forged one', async () => {
    const first = await inv.call('GET', '/v1/machines?sort=hostname&limit=2');
    const wrong = await inv.call('GET', `/v1/machines?sort=lastSeen&after=${first.body.next}`);
    expect(wrong.status).toBe(400);
    expect(wrong.body['invalid-params']![0]).toMatchObject({ name: 'after' });
    expect((await inv.call('GET', '/v1/machines?after=bm9wZQ')).status).toBe(400);
    expect((await inv.call('GET', '/v1/machines?sort=size')).status).toBe(400);
  });
});

describe('filters', () => {
  const count = async (query: string) => (await all(query, 1000)).length;
  const js = (f: (r: MachineEntity) => boolean) => rows.filter(f).length;

  it.each([
    ['site=site-a', (r: MachineEntity) => r.siteId === 'site-a'],
    ['group=tills', (r: MachineEntity) => r.groupId === 'tills'],
    ['profile=pos', (r: MachineEntity) => r.profileId === 'pos'],
    ['state=deployed', (r: MachineEntity) => r.state === 'DEPLOYED'],
    ['label=role%3Dtill', (r: MachineEntity) => r.labels.role === 'till'],
    ['label=role!%3Dtill', (r: MachineEntity) => r.labels.role !== 'till'],
    ['label=gpu', (r: MachineEntity) => 'gpu' in r.labels],
    ['label=!gpu,role%3Dkiosk', (r: MachineEntity) => !('gpu' in r.labels) && r.labels.role === 'kiosk'],
    [`release=${R1}`, (r: MachineEntity) => r.desiredReleaseId === R1 || r.currentReleaseId === R1],
    [`release=${R2}`, (r: MachineEntity) => r.desiredReleaseId === R2 || r.currentReleaseId === R2],
    [
      'seenAfter=2026-11-30T08:30:00Z',
      (r: MachineEntity) => (r.lastSeen?.getTime() ?? 0) >= Date.parse('2026-11-30T08:30:00Z'),
    ],
    [
      'seenBefore=2026-11-30T08:30:00Z',
      (r: MachineEntity) => r.lastSeen !== null && r.lastSeen.getTime() < Date.parse('2026-11-30T08:30:00Z'),
    ],
    ['q=bravo', (r: MachineEntity) => (r.hostname ?? '').startsWith('bravo')],
    ['q=SN1', (r: MachineEntity) => (r.serial ?? '').startsWith('SN1')],
    ['q=b_', (r: MachineEntity) => (r.hostname ?? '').startsWith('b_')],
    [
      'site=site-b&state=deployed&group=tills',
      (r: MachineEntity) => r.siteId === 'site-b' && r.state === 'DEPLOYED' && r.groupId === 'tills',
    ],
  ])('%s', async (query, predicate) => {
    const n = js(predicate);
    expect(await count(query)).toBe(n);
  });

  it('refuses bad filters by name', async () => {
    for (const [query, name] of [
      ['label=Bad%20Key', 'label'],
      ['seenAfter=yesterday', 'seenAfter'],
      ['release=r1', 'release'],
      ['site=Not_A_Slug', 'site'],
      ['siteId=a', ''],
    ] as const) {
      const res = await inv.call('GET', `/v1/machines?${query}`);
      expect(res.status, query).toBe(400);
      if (name) expect(res.body['invalid-params']![0]!.name, query).toBe(name);
    }
  });

  it('answers protobuf JSON Machines with last seen and pinned', async () => {
    const row = rows.find((r) => r.lastSeen)!;
    const res = await inv.call('GET', `/v1/machines/${row.machineId}`);
    expect(res.body.lastSeen).toMatch(/^2026-11-30T/);
    expect(res.body.machineId).toBe(row.machineId);
  });
});
