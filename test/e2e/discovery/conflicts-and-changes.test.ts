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

/** Disagreeing identity keys are flagged and never merged; a grown identity is announced again. */
let discovery: DiscoveryFixture;
const site = uniqueSite('conflict');

beforeAll(async () => {
  discovery = await startDiscovery();
  await discovery.setSiteNetworks(site, ['127.0.0.0/30']);
});

afterAll(async () => {
  await discovery?.stop();
});

const report = (body: object): Promise<HttpResult> => discovery.http('POST', '/v1/discovery/reports', body);

interface Conflict {
  id: string;
  outcome: string;
  machineId: string | null;
  otherMachineIds: string[];
  keys: string[];
  reportCount: number;
}
const conflicts = async (query = ''): Promise<{ conflicts: Conflict[]; next?: string }> =>
  (await discovery.http('GET', `/v1/discovery/conflicts${query}`)).body as {
    conflicts: Conflict[];
    next?: string;
  };

describe('a MAC known with another serial', () => {
  const mac = macOf(9, 1);

  it('becomes a machine of its own, flagged for an operator, found again on its next report', async () => {
    const a = await report({ macs: [mac], serial: 'SERIAL-A' });
    expect(a.status).toBe(201);
    const b = await report({ macs: [mac.toUpperCase()], serial: 'SERIAL-B' });
    expect(b.status).toBe(201);
    expect(b.body.machineId).not.toBe(a.body.machineId);
    expect(b.body.conflictIds).toHaveLength(1);

    const listed = await conflicts(`?machineId=${String(b.body.machineId)}`);
    expect(listed.conflicts).toEqual([
      expect.objectContaining({
        id: (b.body.conflictIds as string[])[0],
        outcome: 'new-machine',
        machineId: b.body.machineId,
        otherMachineIds: [a.body.machineId],
        keys: [`mac:${mac}`],
        reportCount: 1,
      }),
    ]);

    // It boots again: the same machine, the same conflict counted, no new machine, no loop.
    const again = await report({ macs: [mac], serial: 'SERIAL-B' });
    expect(again.body).toMatchObject({ machineId: b.body.machineId, outcome: 'known', matchedBy: 'serial' });
    expect(again.body.conflictIds).toEqual(b.body.conflictIds);
    const [counted] = (await conflicts(`?machineId=${String(b.body.machineId)}`)).conflicts;
    expect(counted?.reportCount).toBe(2);
    // And the first machine is still itself.
    expect((await report({ macs: [mac], serial: 'SERIAL-A' })).body).toMatchObject({
      machineId: a.body.machineId,
      outcome: 'known',
    });
    const [n] = await discovery.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM machine_identity WHERE $1 = ANY(macs)`,
      [mac],
    );
    expect(n!.n).toBe(2);
  });

  it('holds a report that carries only the shared MAC, the same conflict each time', async () => {
    const held = await report({ macs: [mac], serial: 'None' });
    expect(held.status).toBe(409);
    expect(held.body.machineIds).toHaveLength(2);
    const again = await report({ macs: [mac] });
    expect(again.status).toBe(409);
    expect(again.body.conflictId).toBe(held.body.conflictId);
    const [n] = await discovery.sql<{ n: number }>(`SELECT count(*)::int AS n FROM machine_identity`);
    expect(n!.n).toBe(2);
  });

  it('lists conflicts a page at a time', async () => {
    const first = await conflicts('?limit=1');
    expect(first.conflicts).toHaveLength(1);
    expect(first.next).toBe(first.conflicts[0]!.id);
    const rest = await conflicts(`?limit=1000&after=${first.next!}`);
    expect(rest.conflicts.length).toBeGreaterThanOrEqual(2);
    expect(rest.conflicts.map((c) => c.id)).not.toContain(first.conflicts[0]!.id);
    expect(rest.next).toBeUndefined();
    expect((await discovery.http('GET', '/v1/discovery/conflicts?limit=0')).status).toBe(400);
  });

  it('never merges a UUID known with another serial', async () => {
    const uuid = randomUUID();
    const first = await report({ macs: [macOf(9, 2)], serial: 'U-1', smbiosUuid: uuid });
    const second = await report({ macs: [macOf(9, 3)], serial: 'U-2', smbiosUuid: uuid.toUpperCase() });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body.machineId).not.toBe(first.body.machineId);
    expect(second.body.conflictIds).toHaveLength(1);
  });
});

describe('a known machine whose identity changed', () => {
  it('is announced again with rediscovered = true and the next revision', async () => {
    const [m1, m2] = [macOf(10, 1), macOf(10, 2)];
    const uuid = randomUUID();
    const first = await report({ macs: [m1], serial: 'GROWS-1' });
    expect(first.body).toMatchObject({ outcome: 'created', revision: '1', siteId: site });
    const nic = await report({ macs: [m2, m1], serial: 'GROWS-1' });
    expect(nic.body).toMatchObject({ machineId: first.body.machineId, outcome: 'updated', revision: '2' });
    const learned = await report({ macs: [m1], serial: 'GROWS-1', smbiosUuid: uuid });
    expect(learned.body).toMatchObject({
      machineId: first.body.machineId,
      outcome: 'updated',
      revision: '3',
    });
    const same = await report({ macs: [m2], smbiosUuid: uuid });
    expect(same.body).toMatchObject({ machineId: first.body.machineId, outcome: 'known', revision: '3' });

    const mine = async () =>
      (await discovery.events(site)).filter((e) => e.machineId === first.body.machineId);
    await until(async () => (await mine()).length >= 3, 30_000, 'three events');
    const events = await mine();
    expect(events.map((e) => [e.revision, e.rediscovered])).toEqual([
      [1n, false],
      [2n, true],
      [3n, true],
    ]);
    expect(events[2]!.identity).toMatchObject({ smbiosUuid: uuid, serial: 'GROWS-1', macs: [m1, m2].sort() });
  });
});
