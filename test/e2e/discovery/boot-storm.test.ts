import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '@muster/messaging/testing';
import {
  macOf,
  startDiscovery,
  uniqueSite,
  type DiscoveryFixture,
  type HttpResult,
} from './discovery-fixture.js';

/**
 * A boot storm through the real HTTP endpoint of a discovery process on real PostgreSQL and
 * NATS: a thousand distinct machines report at once, among them one machine reporting three
 * times with different MAC spellings and two machines sharing a placeholder serial.
 */
let discovery: DiscoveryFixture;
const site = uniqueSite('storm');
const COUNT = 1_000;

beforeAll(async () => {
  discovery = await startDiscovery();
  await discovery.setSiteNetworks(site, ['127.0.0.1/32']);
});

afterAll(async () => {
  await discovery?.stop();
});

const report = (body: object): Promise<HttpResult> => discovery.http('POST', '/v1/discovery/reports', body);

describe('a boot storm', () => {
  it('records each of 1,000 machines reporting at once exactly once, with one event each', async () => {
    const distinct = Array.from({ length: COUNT - 3 }, (_, n) => ({
      macs: [macOf(1, n)],
      serial: `STORM-${n}`,
      smbiosUuid: randomUUID(),
      hardware: { cpu: { cores: 4 } },
    }));
    const spellings = ['52:54:00:AB:CD:EF', '52-54-00-ab-cd-ef', '5254.00ab.cdef'].map((mac) => ({
      macs: [mac],
      serial: 'Default string',
    }));
    const placeholders = [2, 3].map((n) => ({
      macs: [macOf(n, 0)],
      serial: '0000000000',
      smbiosUuid: randomUUID(),
    }));
    const all = [...distinct, ...placeholders, ...spellings];
    const results = await Promise.all(all.map(report));

    const created = results.filter((r) => r.status === 201);
    expect(results.filter((r) => r.status !== 201 && r.status !== 200)).toEqual([]);
    // 997 distinct + 2 placeholder-serial machines + 1 machine however its MAC is spelled.
    expect(created).toHaveLength(COUNT);
    const spelled = results.slice(-3);
    expect(new Set(spelled.map((r) => r.body.machineId)).size).toBe(1);
    expect(spelled.filter((r) => r.status === 201)).toHaveLength(1);
    expect(spelled.filter((r) => r.body.outcome === 'known')).toHaveLength(2);
    const [p1, p2] = results.slice(COUNT - 3, COUNT - 1);
    expect(p1!.status).toBe(201);
    expect(p2!.status).toBe(201);
    expect(p1!.body.machineId).not.toBe(p2!.body.machineId);
    for (const r of created) expect(r.body).toMatchObject({ siteId: site, revision: '1' });

    const [rows] = await discovery.sql<{ machines: number; distinct_macs: number }>(
      `SELECT count(*)::int AS machines, count(DISTINCT macs)::int AS distinct_macs FROM machine_identity`,
    );
    expect(rows).toEqual({ machines: COUNT, distinct_macs: COUNT });
    const [placeholder] = await discovery.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM machine_identity WHERE serial IS NULL`,
    );
    expect(placeholder!.n).toBe(3);
    expect(await discovery.sql('SELECT * FROM identity_conflict')).toEqual([]);

    await until(async () => (await discovery.events(site)).length >= COUNT, 60_000, `${COUNT} events`);
    const events = await discovery.events(site);
    expect(events).toHaveLength(COUNT);
    expect(new Set(events.map((e) => e.machineId)).size).toBe(COUNT);
    expect(new Set(events.map((e) => e.machineId))).toEqual(new Set(created.map((r) => r.body.machineId)));
    expect(events.every((e) => e.revision === 1n && !e.rediscovered && e.siteId === site)).toBe(true);
    const spelledEvent = events.find((e) => e.machineId === spelled[0]!.body.machineId);
    expect(spelledEvent?.identity).toMatchObject({ serial: '', macs: ['52:54:00:ab:cd:ef'] });
  });
});
