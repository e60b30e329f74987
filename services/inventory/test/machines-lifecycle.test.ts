import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clone, create } from '@bufbuild/protobuf';
import { timestampNow } from '@bufbuild/protobuf/wkt';
import {
  contracts,
  MachineDiscoveredSchema,
  MachineState,
  MachineUpdatedSchema,
  type MachineDiscovered,
} from '@muster/contracts';
import { EventPublisher } from '@muster/messaging';
import { until } from '@muster/messaging/testing';
import { startInventory, uniqueId, type Inventory } from './inventory-fixture.js';

/**
 * Machines through their life on a real inventory: assignment rules at discovery, the operator's
 * assignment that pins, legal and illegal moves, retirement, and history with who did what.
 */
let inv: Inventory;
let publisher: EventPublisher;
const site = uniqueId('berlin');
const group = uniqueId('boards');
const profile = uniqueId('kiosk');

beforeAll(async () => {
  inv = await startInventory({ ownNats: true });
  publisher = new EventPublisher(inv.bus, '/muster/discovery');
  expect(
    (await inv.call('POST', '/v1/sites', { siteId: site, name: 'Berlin', timeZone: 'Europe/Berlin' })).status,
  ).toBe(201);
  expect((await inv.call('POST', '/v1/groups', { groupId: group, name: 'Boards' })).status).toBe(201);
  expect(
    (await inv.call('POST', '/v1/profiles', { profileId: profile, name: 'Kiosk', releaseChannel: 'stable' }))
      .status,
  ).toBe(201);
  // Lower priority first: the network rule decides the site, the arm64 rule group and profile;
  // the catch-all rule only fills what is still open (a label).
  const rules = [
    {
      ruleId: 'b-arm',
      priority: 10,
      match: { facts: { 'cpu.architecture': 'arm64', memoryBytes: '>=1000' } },
      assign: { groupId: group, profileId: profile, labels: { kind: 'board' } },
    },
    { ruleId: 'a-net', priority: 10, match: { network: '10.99.0.0/16' }, assign: { siteId: site } },
    {
      ruleId: 'z-all',
      priority: 50,
      match: {},
      assign: { groupId: uniqueId('never'), labels: { kind: 'other', seen: 'yes' } },
    },
  ];
  const never = rules[2]!.assign.groupId!;
  expect((await inv.call('POST', '/v1/groups', { groupId: never, name: 'Never' })).status).toBe(201);
  for (const rule of rules) expect((await inv.call('POST', '/v1/assignment-rules', rule)).status).toBe(201);
});

afterAll(async () => inv?.close());

const discovered = (fields: Partial<MachineDiscovered> & { ip: string; arch: string }): MachineDiscovered =>
  create(MachineDiscoveredSchema, {
    machineId: fields.machineId ?? randomUUID(),
    identity: { macs: [`02:00:00:${randomUUID().slice(0, 2)}:${randomUUID().slice(0, 2)}:01`] },
    siteId: fields.siteId ?? 'unassigned',
    bootMac: '02:00:00:00:00:01',
    ipAddress: fields.ip,
    discoveredAt: timestampNow(),
    hardware: { cpu: { architecture: fields.arch }, memoryBytes: 4096n },
    revision: fields.revision ?? 1n,
  });

const publish = (m: MachineDiscovered) =>
  publisher.publish(contracts.machineDiscovered, { siteId: m.siteId, machineId: m.machineId }, m);

const machine = async (id: string) => (await inv.call('GET', `/v1/machines/${id}`)).body;
const history = async (id: string) =>
  (await inv.call('GET', `/v1/machines/${id}/history`)).body.history ?? [];

describe('assignment rules at discovery', () => {
  it('apply in priority order, first match per field, and move the machine to ASSIGNED', async () => {
    const m = discovered({ ip: '10.99.4.7', arch: 'arm64' });
    await publish(m);
    await until(
      async () => (await machine(m.machineId))?.state === 'MACHINE_STATE_ASSIGNED',
      20_000,
      'assigned by rules',
    );
    const record = await machine(m.machineId);
    expect(record).toMatchObject({
      siteId: site,
      groupId: group,
      profileId: profile,
      labels: { kind: 'board', seen: 'yes' },
    });
    expect(record.pinned).toBeUndefined();
    // A site with machines cannot be deleted.
    const busy = await inv.call('DELETE', `/v1/sites/${site}`);
    expect(busy.status).toBe(409);
    expect(busy.body.detail).toMatch(/machines? (is|are) at it/);
    const entries = await history(m.machineId);
    expect(entries.map((h) => [h.kind, h.actor])).toEqual([
      ['discovered', 'discovery'],
      ['rule-assigned', 'rule:a-net'],
      ['rule-assigned', 'rule:b-arm'],
      ['rule-assigned', 'rule:z-all'],
    ]);
    expect(entries[2]?.changes).toMatchObject({
      group_id: { from: null, to: group },
      state: { from: 'DISCOVERED', to: 'ASSIGNED' },
    });
    // Each change is a machine.updated, on the subject of the site it moved to.
    await until(
      async () =>
        (
          await inv.read(
            'INVENTORY',
            contracts.machineUpdated.pattern({ siteId: site, machineId: m.machineId }),
            MachineUpdatedSchema,
          )
        ).length === 3,
      15_000,
      'three updates on the new site',
    );
    const updates = await inv.read(
      'INVENTORY',
      contracts.machineUpdated.pattern({ siteId: site, machineId: m.machineId }),
      MachineUpdatedSchema,
    );
    expect(updates.map((u) => [u.actor, u.previousSiteId, MachineState[u.state]])).toEqual([
      ['rule:a-net', 'unassigned', 'DISCOVERED'],
      ['rule:b-arm', '', 'ASSIGNED'],
      ['rule:z-all', '', 'ASSIGNED'],
    ]);
  });

  it('leave a machine no rule completes DISCOVERED, with what they did decide', async () => {
    const m = discovered({ ip: '192.0.2.9', arch: 'amd64' });
    await publish(m);
    await until(
      async () => (await machine(m.machineId))?.labels?.kind === 'other',
      20_000,
      'the catch-all label',
    );
    const record = await machine(m.machineId);
    expect(record).toMatchObject({ state: 'MACHINE_STATE_DISCOVERED', siteId: 'unassigned' });
    expect(record.groupId).toMatch(/^never-/);
  });

  it('never touch a machine an operator assigned (pinned)', async () => {
    const m = discovered({ ip: '192.0.2.10', arch: 'amd64', siteId: 'unassigned' });
    // Disabled while the machine is first seen, so nothing assigns it.
    expect((await inv.call('PATCH', '/v1/assignment-rules/z-all', { enabled: false })).status).toBe(200);
    await publish(m);
    await until(
      async () => (await inv.call('GET', `/v1/machines/${m.machineId}`)).status === 200,
      20_000,
      'recorded',
    );
    const assigned = await inv.call('POST', `/v1/machines/${m.machineId}/assign`, { groupId: group });
    expect(assigned.status).toBe(200);
    expect(assigned.body).toMatchObject({ groupId: group, pinned: true, state: 'MACHINE_STATE_DISCOVERED' });
    expect((await inv.call('PATCH', '/v1/assignment-rules/z-all', { enabled: true })).status).toBe(200);
    // Rediscovered with a new identity revision: the rules run for the batch, and skip it.
    const again = clone(MachineDiscoveredSchema, m);
    again.revision = 2n;
    again.identity!.serial = 'SN-PINNED';
    await publish(again);
    await until(
      async () => (await history(m.machineId)).some((h) => h.kind === 'identity-changed'),
      20_000,
      'rediscovery',
    );
    const record = await machine(m.machineId);
    expect(record.labels ?? {}).toEqual({});
    expect((await history(m.machineId)).map((h) => h.actor)).toEqual([
      'discovery',
      'operator:test-operator',
      'discovery',
    ]);
  });
});

describe('the lifecycle through the API', () => {
  it('refuses an illegal move with the reason, takes legal ones, and retires for good', async () => {
    const m = discovered({ ip: '10.99.8.8', arch: 'arm64' });
    await publish(m);
    await until(
      async () => (await machine(m.machineId))?.state === 'MACHINE_STATE_ASSIGNED',
      20_000,
      'assigned',
    );
    const id = m.machineId;
    const move = (state: string, reason = 'test') =>
      inv.call('POST', `/v1/machines/${id}/transition`, { state, reason });

    const illegal = await move('REIMAGING');
    expect(illegal.status).toBe(409);
    expect(illegal.body.detail).toBe(
      'ASSIGNED → REIMAGING is not a legal move (from ASSIGNED: DISCOVERED, PROVISIONING, DEPLOYED, FAILED, RETIRED)',
    );
    expect((await move('bogus')).status).toBe(400);
    expect((await move('installing', 'installer started')).body.state).toBe('MACHINE_STATE_PROVISIONING');
    expect((await move('MACHINE_STATE_DEPLOYED')).body.state).toBe('MACHINE_STATE_DEPLOYED');
    expect((await move('deployed')).body.detail).toBe('the machine is already DEPLOYED');

    const retired = await inv.call('POST', `/v1/machines/${id}/retire`, { reason: 'end of life' });
    expect(retired.body.state).toBe('MACHINE_STATE_RETIRED');
    expect((await move('FAILED')).status).toBe(409);
    expect((await inv.call('PATCH', `/v1/machines/${id}`, { labels: { a: 'b' } })).body.detail).toBe(
      'a retired machine is never edited again',
    );
    expect((await inv.call('POST', `/v1/machines/${id}/assign`, { groupId: group })).status).toBe(409);

    const mine = (await history(id)).filter((h) => h.actor === 'operator:test-operator');
    expect(mine.map((h) => [h.kind, h.changes.state, h.detail.reason])).toEqual([
      ['transition', { from: 'ASSIGNED', to: 'PROVISIONING' }, 'installer started'],
      ['transition', { from: 'PROVISIONING', to: 'DEPLOYED' }, 'test'],
      ['retired', { from: 'DEPLOYED', to: 'RETIRED' }, 'end of life'],
    ]);
  });

  it('patches labels as a merge patch and the hostname, recording before and after; a no-op writes nothing', async () => {
    const m = discovered({ ip: '192.0.2.77', arch: 'amd64' });
    await publish(m);
    await until(
      async () => (await inv.call('GET', `/v1/machines/${m.machineId}`)).status === 200,
      20_000,
      'recorded',
    );
    await until(async () => (await machine(m.machineId)).labels?.seen === 'yes', 20_000, 'rules applied');
    const id = m.machineId;
    const before = await machine(id);
    const patched = await inv.call('PATCH', `/v1/machines/${id}`, {
      labels: { seen: null, role: 'till' },
      hostname: 'Till-01',
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ labels: { kind: 'other', role: 'till' }, hostname: 'till-01' });
    expect(patched.body.labels?.seen).toBeUndefined();
    expect(BigInt(patched.body.revision!)).toBe(BigInt(before.revision!) + 1n);
    const last = (await history(id)).at(-1);
    expect(last).toMatchObject({
      actor: 'operator:test-operator',
      kind: 'updated',
      changes: {
        labels: { from: { kind: 'other', seen: 'yes' }, to: { kind: 'other', role: 'till' } },
        hostname: { from: null, to: 'till-01' },
      },
    });
    const entries = (await history(id)).length;
    const again = await inv.call('PATCH', `/v1/machines/${id}`, { labels: { role: 'till' } });
    expect(again.body.revision).toBe(patched.body.revision);
    expect((await history(id)).length).toBe(entries);

    expect((await inv.call('PATCH', `/v1/machines/${id}`, { labels: { 'Bad Key': 'x' } })).status).toBe(400);
    expect((await inv.call('PATCH', `/v1/machines/${id}`, {})).status).toBe(400);
    expect(
      (await inv.call('POST', `/v1/machines/${id}/assign`, { siteId: uniqueId('nowhere') })).body[
        'invalid-params'
      ]![0],
    ).toMatchObject({ name: 'siteId' });
    expect((await inv.call('PATCH', `/v1/machines/${randomUUID()}`, { hostname: 'x' })).status).toBe(404);
  });
});
