import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { create } from '@bufbuild/protobuf';
import { timestampNow } from '@bufbuild/protobuf/wkt';
import { enroll } from '@muster/agent-client';
import { contracts, MachineDiscoveredSchema, streams } from '@muster/contracts';
import { BusConnection, EventPublisher } from '@muster/messaging';
import { until } from '@muster/messaging/testing';
import { operatorFetch, startServiceInProcess, type RunningService } from '@muster/runtime/testing';
import { uniqueName } from '@muster/testing';
import { SimAgent } from '../../agents/simulator/sim-agent.js';
import { simIdentity } from '../../agents/simulator/sim-identity.js';
import { ensureAllStreams, serviceEntry, serviceTestEnv } from '../../edges/service-entries.js';

/**
 * The bring-up journey's agent half with the real services and no stand-in: a machine
 * discovered at boot, assigned by an operator, then its agent enrolls — inventory binds the
 * agent to that same machine by hardware identity and it becomes DEPLOYED; on connect the agent
 * gets its desired state; its facts and status land in the machine's record.
 */
let inventory: RunningService;
let gateway: RunningService;
let bus: BusConnection;
const agents: SimAgent[] = [];
const siteId = `e2e-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  const servers = inject('servers');
  await ensureAllStreams(servers.nats.url);
  const keys = `e2e-1:${Buffer.alloc(32, 7).toString('base64')}`;
  inventory = await startServiceInProcess(
    await serviceEntry('inventory'),
    serviceTestEnv(servers, { MUSTER_DATABASE_SCHEMA: uniqueName('inv') }),
  );
  gateway = await startServiceInProcess(
    await serviceEntry('agent-gateway'),
    serviceTestEnv(servers, { MUSTER_DATABASE_SCHEMA: uniqueName('agw'), MUSTER_COMMAND_SIGNING_KEYS: keys }),
  );
  bus = await BusConnection.connect({ servers: [servers.nats.url], name: 'e2e-discovery', streams });
});

afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop()));
  await gateway?.close();
  await inventory?.close();
  await bus?.close();
});

async function json<T>(service: RunningService, path: string, init?: RequestInit): Promise<T> {
  const res = await operatorFetch(service, path, {
    ...init,
    headers: { 'content-type': 'application/json', ...(init?.headers ?? {}) },
  });
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

interface MachineView {
  state: string;
  agentId?: string;
  hardware?: { cpu?: { cores?: number } };
  lastStatus?: { seq?: string };
}

describe('a discovered machine’s agent', () => {
  it('enrolls onto the same machine, which becomes DEPLOYED; gets its desired state; reports into inventory', async () => {
    const identity = simIdentity(siteId, 1);
    const machineId = randomUUID();
    // As discovery announces a machine that network-booted.
    await new EventPublisher(bus, 'discovery').publish(
      contracts.machineDiscovered,
      { siteId, machineId },
      create(MachineDiscoveredSchema, {
        machineId,
        identity,
        siteId,
        bootMac: identity.macs[0]!,
        ipAddress: '10.0.0.10',
        discoveredAt: timestampNow(),
        hardware: {},
        revision: 1n,
      }),
    );
    await until(
      async () => (await operatorFetch(inventory, `/v1/machines/${machineId}`)).status === 200,
      20_000,
      'machine recorded',
    );
    await json(inventory, '/v1/sites', {
      method: 'POST',
      body: JSON.stringify({ siteId, name: siteId, timeZone: 'Europe/Paris', networks: [] }),
    });
    await json(inventory, '/v1/groups', {
      method: 'POST',
      body: JSON.stringify({ groupId: 'tills', name: 'Tills' }),
    });
    await json(inventory, '/v1/profiles', {
      method: 'POST',
      body: JSON.stringify({ profileId: 'till', name: 'Till', releaseChannel: 'stable', configuration: {} }),
    });
    const assigned = await json<MachineView>(inventory, `/v1/machines/${machineId}/assign`, {
      method: 'POST',
      body: JSON.stringify({ siteId, groupId: 'tills', profileId: 'till' }),
    });
    expect(assigned.state).toBe('MACHINE_STATE_ASSIGNED');

    const { token } = await json<{ token: string }>(gateway, '/v1/bootstrap-tokens', {
      method: 'POST',
      body: JSON.stringify({ siteId, expiresInSeconds: 600 }),
    });
    const enrolled = await enroll(gateway.url, token, identity, { agentVersion: '1.0.0' });
    expect(enrolled.credentials.machineId).toBe(machineId);
    const bound = await json<MachineView>(inventory, `/v1/machines/${machineId}`);
    expect(bound).toMatchObject({ state: 'MACHINE_STATE_DEPLOYED', agentId: enrolled.credentials.agentId });

    const agent = await SimAgent.fromCredentials({
      key: enrolled.key,
      credentials: enrolled.credentials,
      identity,
    });
    agents.push(agent);
    agent.connect({ urls: [gateway.url], firstUrl: 0, heartbeatMs: 0 });
    await agent.session.welcome();
    await until(async () => agent.record.desiredStates >= 1, 20_000, 'desired state on connect');
    expect((await agent.facts()).outcome).toBe('stored');
    const status = await agent.status();
    expect(status.outcome).toBe('stored');
    await until(
      async () => {
        const m = await json<MachineView>(inventory, `/v1/machines/${machineId}`);
        return m.hardware?.cpu?.cores === 4 && m.lastStatus?.seq === String(status.seq);
      },
      20_000,
      'facts and status in inventory',
    );
  });
});
