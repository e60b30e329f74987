import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create } from '@bufbuild/protobuf';
import { timestampNow } from '@bufbuild/protobuf/wkt';
import {
  AgentFactsSchema,
  AgentStatusSchema,
  DeploymentPhase,
  AgentHeartbeatSchema,
  BindAgentRequestSchema,
  contracts,
  deadLetter,
  MachineDiscoveredSchema,
  MachineUpdatedSchema,
  queries,
  type BindAgentResponse,
} from '@muster/contracts';
import { EventPublisher, QueryClient } from '@muster/messaging';
import { until } from '@muster/messaging/testing';
import type { MachineEntity } from '../src/machines/machine.entity.js';
import { machineFromDiscovery } from '../src/machines/machine-record.js';
import { HeartbeatsRepository } from '../src/agents/heartbeats.repository.js';
import { MachinesRepository } from '../src/machines/machines.repository.js';
import { startInventory, uniqueId, type Inventory } from './inventory-fixture.js';

/** Inventory's side of agents: binding at enrollment, facts by seq, heartbeats in batches. */
let inv: Inventory;
let ask: QueryClient;
let gateway: EventPublisher;
const site = uniqueId('site');
let n = 0;
const mac = () =>
  `02:00:00:00:${(++n >> 8).toString(16).padStart(2, '0')}:${(n & 255).toString(16).padStart(2, '0')}`;

beforeAll(async () => {
  inv = await startInventory({ ownNats: true });
  ask = new QueryClient(inv.bus, '/muster/agent-gateway');
  gateway = new EventPublisher(inv.bus, '/muster/agent-gateway');
});
afterAll(async () => inv?.close());

/** A machine as discovery would have recorded it. */
async function known(fields: Partial<MachineEntity> = {}): Promise<MachineEntity> {
  const row = {
    ...machineFromDiscovery(
      create(MachineDiscoveredSchema, { machineId: randomUUID(), siteId: site, identity: { macs: [mac()] } }),
    ),
    ...fields,
  };
  const machines = inv.service.app.get(MachinesRepository);
  await machines.ds.transaction((m) => machines.insertNew(m, [row]));
  return row;
}

const bind = (
  agentId: string,
  identity: { smbiosUuid?: string; serial?: string; macs: string[] },
  siteId = site,
  hostname = '',
) => ask.request(queries.bindAgent, create(BindAgentRequestSchema, { agentId, siteId, identity, hostname }));

const boundId = (r: BindAgentResponse): string => {
  if (r.result.case !== 'bound') throw new Error(`refused: ${String(r.result.value)}`);
  return r.result.value.machineId;
};
const machine = async (id: string) => (await inv.call('GET', `/v1/machines/${id}`)).body;

describe('bindAgent', () => {
  it('matches a known machine by SMBIOS UUID, by serial, or by a shared MAC', async () => {
    const uuid = randomUUID();
    const byUuid = await known({ smbiosUuid: uuid, state: 'ASSIGNED', groupId: 'g', profileId: 'p' });
    expect(boundId(await bind(uniqueId('a'), { smbiosUuid: uuid, macs: [mac()] }))).toBe(byUuid.machineId);
    const bySerial = await known({ serial: `SN-${n}` });
    expect(boundId(await bind(uniqueId('a'), { serial: bySerial.serial!, macs: [mac()] }))).toBe(
      bySerial.machineId,
    );
    const byMac = await known();
    expect(
      boundId(await bind(uniqueId('a'), { smbiosUuid: randomUUID(), macs: [byMac.macs[0]!, mac()] })),
    ).toBe(byMac.machineId);

    // A bind deploys an assigned machine, records the agent, fills identity it lacked.
    const deployed = await machine(byUuid.machineId);
    expect(deployed.state).toBe('MACHINE_STATE_DEPLOYED');
    expect(deployed.agentId).toMatch(/^a-/);
    expect((await machine(byMac.machineId)).identity?.smbiosUuid).toMatch(/^[0-9a-f-]{36}$/);
    expect((await machine(byMac.machineId)).state).toBe('MACHINE_STATE_DISCOVERED');
    const entries = (await inv.call('GET', `/v1/machines/${byUuid.machineId}/history`)).body.history ?? [];
    expect(entries.at(-1)).toMatchObject({
      kind: 'agent-bound',
      actor: `agent:${deployed.agentId}`,
      changes: { state: { from: 'ASSIGNED', to: 'DEPLOYED' } },
    });
  });

  it('creates the machine at the token site when none matches, and is idempotent per agent id', async () => {
    const agentId = uniqueId('new');
    const identity = { serial: `NEW-${randomUUID()}`, macs: [mac()] };
    const first = await bind(agentId, identity, site, 'kiosk-7');
    expect(first.result).toMatchObject({ case: 'bound', value: { created: true } });
    const id = boundId(first);
    const again = await bind(agentId, identity, site, 'kiosk-7');
    expect(again.result).toMatchObject({ case: 'bound', value: { machineId: id, created: false } });
    expect(await machine(id)).toMatchObject({
      siteId: site,
      state: 'MACHINE_STATE_DEPLOYED',
      agentId,
      hostname: 'kiosk-7',
    });
    await until(
      async () =>
        (
          await inv.read(
            'INVENTORY',
            contracts.machineUpdated.pattern({ siteId: site, machineId: id }),
            MachineUpdatedSchema,
          )
        ).length === 1,
      15_000,
      'machine.updated of the created machine',
    );
  });

  it('reports the previous agent of a re-imaged machine and restarts its sequences', async () => {
    const serial = `RE-${randomUUID()}`;
    const first = boundId(await bind(uniqueId('old'), { serial, macs: [mac()] }));
    const oldAgent = (await machine(first)).agentId;
    const second = await bind(uniqueId('new'), { serial, macs: [mac()] });
    expect(second.result).toMatchObject({
      case: 'bound',
      value: { machineId: first, created: false, previousAgentId: oldAgent },
    });
  });

  it('refuses a retired machine, a machine of another site, and an identity that conflicts', async () => {
    const retired = await known({ serial: `RT-${n}`, state: 'RETIRED' });
    expect((await bind(uniqueId('a'), { serial: retired.serial!, macs: [mac()] })).result).toEqual({
      case: 'refused',
      value: `machine ${retired.machineId} is retired`,
    });
    const elsewhere = await known({ serial: `EL-${n}` });
    const other = await bind(uniqueId('a'), { serial: elsewhere.serial!, macs: [mac()] }, uniqueId('other'));
    expect(other.result.case).toBe('refused');
    expect(other.result.value).toContain(`belongs to site ${site}`);
    const a = await known({ smbiosUuid: randomUUID() });
    const b = await known({ serial: `CF-${n}` });
    const conflict = await bind(uniqueId('a'), {
      smbiosUuid: a.smbiosUuid!,
      serial: b.serial!,
      macs: [mac()],
    });
    expect(conflict.result.case).toBe('refused');
    expect(conflict.result.value).toContain('several machines');
  });
});

describe('facts and heartbeats', () => {
  const factsOf = (agentId: string, machineId: string, seq: number, cores: number) =>
    create(AgentFactsSchema, {
      agentId,
      seq: BigInt(seq),
      machineId,
      identity: { macs: ['02:00:00:00:00:99'] },
      hardware: { cpu: { cores, architecture: 'amd64' } },
      os: { id: 'debian', name: 'Debian GNU/Linux', version: '12', kernel: '6.1.0' },
      collectedAt: timestampNow(),
    });
  const sendFacts = (agentId: string, machineId: string, seq: number, cores: number) =>
    gateway.publish(contracts.agentFacts, { siteId: site, agentId }, factsOf(agentId, machineId, seq, cores));

  it('apply facts only above the last applied seq', async () => {
    const agentId = uniqueId('f');
    const id = boundId(await bind(agentId, { serial: `F-${randomUUID()}`, macs: [mac()] }));
    await sendFacts(agentId, id, 5, 8);
    await until(async () => (await machine(id)).hardware?.cpu?.cores === 8, 20_000, 'facts seq 5');
    await sendFacts(agentId, id, 3, 2); // older: absorbed
    await sendFacts(agentId, id, 5, 4); // same seq (a replay): absorbed
    await sendFacts(agentId, id, 6, 16);
    await until(async () => (await machine(id)).hardware?.cpu?.cores === 16, 20_000, 'facts seq 6');
    const rows = await inv.ds.query<{ agent_facts_seq: string; os: { id: string } }[]>(
      'SELECT agent_facts_seq, os FROM machine WHERE machine_id = $1',
      [id],
    );
    expect(rows[0]).toMatchObject({ agent_facts_seq: '6', os: { id: 'debian' } });
    const facts = (await inv.call('GET', `/v1/machines/${id}/history`)).body.history?.filter(
      (h) => h.kind === 'facts',
    );
    expect(facts?.map((h) => h.actor)).toEqual([`agent:${agentId}`, `agent:${agentId}`]);
  });

  it('send facts of an agent not bound to the machine they name to dead letter, and apply the rest', async () => {
    const agentId = uniqueId('f');
    const id = boundId(await bind(agentId, { serial: `F-${randomUUID()}`, macs: [mac()] }));
    const stranger = uniqueId('stranger');
    await sendFacts(stranger, id, 1, 64);
    await sendFacts(agentId, id, 1, 12);
    await until(
      async () => (await machine(id)).hardware?.cpu?.cores === 12,
      20_000,
      "the bound agent's facts",
    );
    const dead = async () =>
      (await inv.read('DEADLETTER', deadLetter.subject('inventory-agent-facts'), AgentFactsSchema)).filter(
        (f) => f.agentId === stranger,
      );
    await until(async () => (await dead()).length === 1, 20_000, "the stranger's facts in dead letter");
    expect((await machine(id)).hardware?.cpu?.cores).toBe(12);
  });

  it('keep the status of the highest seq as the machine’s last status, whatever order statuses arrive in', async () => {
    const agentId = uniqueId('st');
    const id = boundId(await bind(agentId, { serial: `ST-${randomUUID()}`, macs: [mac()] }));
    const deploymentId = randomUUID();
    const status = (seq: number, phase: DeploymentPhase, progressPercent: number) =>
      gateway.publish(
        contracts.agentStatus,
        { siteId: site, agentId },
        create(AgentStatusSchema, {
          agentId,
          seq: BigInt(seq),
          deploymentId,
          phase,
          progressPercent,
          at: timestampNow(),
        }),
      );
    await status(7, DeploymentPhase.STAGED, 100);
    await until(async () => (await machine(id)).lastStatus?.seq === '7', 20_000, 'status seq 7');
    await status(4, DeploymentPhase.DOWNLOADING, 40); // older, arriving late: absorbed
    await status(7, DeploymentPhase.FAILED, 0); // a replay of seq 7: absorbed
    await status(8, DeploymentPhase.REBOOTING, 0);
    await until(async () => (await machine(id)).lastStatus?.seq === '8', 20_000, 'status seq 8');
    expect((await machine(id)).lastStatus).toMatchObject({
      agentId,
      deploymentId,
      phase: 'DEPLOYMENT_PHASE_REBOOTING',
    });
    const [row] = await inv.ds.query<{ agent_status_seq: string }[]>(
      'SELECT agent_status_seq FROM machine WHERE machine_id = $1',
      [id],
    );
    expect(row?.agent_status_seq).toBe('8');
  });

  it('fold heartbeats into last seen and the observed release, monotonic, one release change one event', async () => {
    const agents = await Promise.all(
      [1, 2, 3].map(async () => {
        const agentId = uniqueId('hb');
        return {
          agentId,
          machineId: boundId(await bind(agentId, { serial: `HB-${randomUUID()}`, macs: [mac()] })),
        };
      }),
    );
    const R1 = randomUUID();
    const R2 = randomUUID();
    const beat = (a: { agentId: string; machineId: string }, seq: number, release: string) =>
      gateway.publish(
        contracts.agentHeartbeat,
        { siteId: site, agentId: a.agentId },
        create(AgentHeartbeatSchema, {
          agentId: a.agentId,
          machineId: a.machineId,
          seq: BigInt(seq),
          sentAt: timestampNow(),
          agentVersion: '1.0.0',
          currentReleaseId: release,
        }),
      );
    const [a, b, c] = agents as [(typeof agents)[0], (typeof agents)[0], (typeof agents)[0]];
    const revisionBefore = (await machine(a.machineId)).revision;
    await beat(a, 10, R1);
    await beat(b, 10, R1);
    await beat(c, 10, '');
    await until(
      async () =>
        (await machine(c.machineId)).lastSeen !== undefined &&
        (await machine(a.machineId)).currentReleaseId === R1,
      20_000,
      'beats folded',
    );
    const seenA = (await machine(a.machineId)).lastSeen;
    expect(BigInt((await machine(a.machineId)).revision!)).toBe(BigInt(revisionBefore!) + 1n);
    // The same release again: last seen moves, the record does not change.
    await beat(a, 11, R1);
    await until(async () => (await machine(a.machineId)).lastSeen !== seenA, 20_000, 'last seen moved');
    expect(BigInt((await machine(a.machineId)).revision!)).toBe(BigInt(revisionBefore!) + 1n);
    // A new release is a change; an older seq afterwards changes nothing back.
    await beat(b, 12, R2);
    await until(async () => (await machine(b.machineId)).currentReleaseId === R2, 20_000, 'release R2');
    await beat(b, 11, R1);
    await beat(c, 11, '');
    await until(
      async () =>
        (
          await inv.ds.query<{ s: string }[]>(
            'SELECT agent_beat_seq::text AS s FROM machine WHERE machine_id = $1',
            [c.machineId],
          )
        )[0]?.s === '11',
      20_000,
      'c beat 11',
    );
    await until(
      async () => {
        const [info] = [
          await inv.bus.jsm.consumers.info('KV_AGENT_HEARTBEATS', 'inventory-agent-heartbeats'),
        ];
        return info.num_pending === 0 && info.num_ack_pending === 0;
      },
      20_000,
      'every beat handled',
    );
    expect((await machine(b.machineId)).currentReleaseId).toBe(R2);
    const releaseEvents = async () =>
      (
        await inv.read(
          'INVENTORY',
          contracts.machineUpdated.pattern({ siteId: site, machineId: b.machineId }),
          MachineUpdatedSchema,
        )
      )
        .filter((u) => u.changedFields.includes('current_release_id'))
        .map((u) => [u.currentReleaseId, u.actor]);
    await until(async () => (await releaseEvents()).length >= 2, 15_000, 'release events published');
    expect(await releaseEvents()).toEqual([
      [R1, `agent:${b.agentId}`],
      [R2, `agent:${b.agentId}`],
    ]);
    // A beat of an agent no longer bound changes nothing.
    const stale = { agentId: uniqueId('gone'), machineId: a.machineId };
    await beat(stale, 99, R2);
    await until(
      async () =>
        (await inv.bus.jsm.consumers.info('KV_AGENT_HEARTBEATS', 'inventory-agent-heartbeats'))
          .num_ack_pending === 0,
      20_000,
      'handled',
    );
    expect((await machine(a.machineId)).currentReleaseId).toBe(R1);

    // Last seen never moves back: a batch folded late, with an older time, leaves it.
    const latest = (await machine(a.machineId)).lastSeen!;
    const machines = inv.service.app.get(MachinesRepository);
    await machines.inTransaction((manager) =>
      inv.service.app.get(HeartbeatsRepository).fold(manager, [
        {
          machineId: a.machineId,
          agentId: a.agentId,
          seen: new Date(Date.parse(latest) - 60_000),
          seq: 1n,
          release: R2,
        },
      ]),
    );
    expect(await machine(a.machineId)).toMatchObject({ lastSeen: latest, currentReleaseId: R1 });
  });
});
