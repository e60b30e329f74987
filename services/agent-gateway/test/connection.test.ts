import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contracts, GoodbyeReason } from '@muster/contracts';
import { operatorFetch } from '@muster/runtime/testing';
import { enrolledAgent, startGatewayStack, until, type GatewayStack, sql } from './fixtures/gateway-stack.js';
import { reports, TestAgent, type AgentSocket, type Enrolled } from './fixtures/test-agent.js';

let stack: GatewayStack;
const site = 'branch-conn';

beforeAll(async () => {
  stack = await startGatewayStack({ MUSTER_GATEWAY_MAX_FRAME_BYTES: '4096' });
});
afterAll(async () => stack?.close());

const db = () => ({ query: sql(stack.gateway) });

/** How many messages the stream holds on one agent's status subject. */
async function statusCount(agent: Enrolled): Promise<number> {
  const subject = contracts.agentStatus.subject({ siteId: agent.siteId, agentId: agent.agentId });
  const info = await stack.admin.jsm.streams.info('AGENT_TELEMETRY', { subjects_filter: subject });
  return info.state.subjects?.[subject] ?? 0;
}

async function online() {
  const { agent, enrolled } = await enrolledAgent(stack.gateway, site);
  const socket = await agent.connected(stack.gateway.url, enrolled.credential);
  const welcome = await socket.next('welcome');
  return { agent, enrolled, socket, welcome };
}

describe('connecting', () => {
  it('welcomes the agent by its credential’s id, with the heartbeat interval and last seq', async () => {
    const { enrolled, socket, welcome } = await online();
    expect(welcome).toMatchObject({
      agentId: enrolled.agentId,
      machineId: enrolled.machineId,
      siteId: site,
      lastSeq: 0n,
    });
    expect(welcome.heartbeatInterval?.seconds).toBe(30n);
    const desired = await socket.next('desiredState');
    expect(desired).toMatchObject({
      machineId: enrolled.machineId,
      siteId: site,
      groupId: 'lab',
      revision: 3n,
    });
    socket.close();
  });

  it('refuses before the upgrade: no credential, an unknown one, a bad or stale proof, an expired one', async () => {
    const { agent, enrolled } = await enrolledAgent(stack.gateway, site);
    expect(await agent.connect(stack.gateway.url, 'mac_0000')).toEqual({ refused: 401 });
    expect(await agent.connect(stack.gateway.url, enrolled.credential.slice(0, -2) + 'AA')).toEqual({
      refused: 401,
    });
    const other = new TestAgent();
    expect(
      await agent.connect(stack.gateway.url, enrolled.credential, other.connectProof(enrolled.credential)),
    ).toEqual({ refused: 401 });
    const stale = agent.connectProof(enrolled.credential, Math.floor(Date.now() / 1000) - 301);
    expect(await agent.connect(stack.gateway.url, enrolled.credential, stale)).toEqual({ refused: 401 });
    await db().query(
      `UPDATE agent_credential SET expires_at = now() - interval '1 second' WHERE agent_id = $1`,
      [enrolled.agentId],
    );
    expect(await agent.connect(stack.gateway.url, enrolled.credential)).toEqual({ refused: 401 });
    const metrics = await (await fetch(`${stack.gateway.url}/metrics`)).text();
    expect(metrics).toMatch(
      /muster_gateway_connect_refused_total\{reason="bad-proof",service="agent-gateway"\} [1-9]/,
    );
  });

  it('lets the agent in while inventory does not answer, and sends the desired state once it does', async () => {
    const { agent, enrolled } = await enrolledAgent(stack.gateway, site);
    await stack.inventory.stop();
    let socket: AgentSocket;
    try {
      socket = await agent.connected(stack.gateway.url, enrolled.credential);
      await socket.next('welcome');
      await new Promise((resolve) => setTimeout(resolve, 700));
      expect(socket.all('desiredState')).toEqual([]);
    } finally {
      await stack.inventory.resume();
    }
    expect((await socket.next('desiredState')).machineId).toBe(enrolled.machineId);
    socket.close();
  });

  it('answers a plain GET on the connect route with 426', async () => {
    expect((await fetch(`${stack.gateway.url}/v1/agent/connect`)).status).toBe(426);
  });

  it('supersedes the first connection when the agent connects again', async () => {
    const { agent, enrolled, socket } = await online();
    const second = await agent.connected(stack.gateway.url, enrolled.credential);
    await second.next('welcome');
    expect((await socket.next('goodbye')).reason).toBe(GoodbyeReason.SUPERSEDED);
    second.close();
  });
});

describe('status in', () => {
  it('acknowledges a status only once JetStream holds it, and a replayed seq as a duplicate without storing it again', async () => {
    const { enrolled, socket } = await online();
    socket.send(reports.status(enrolled, 1n));
    const ack = await socket.next('ack', (a) => a.seq === 1n);
    expect(ack.duplicate).toBe(false);
    // The acknowledgement came after the PubAck: the message is in the stream now.
    expect(await statusCount(enrolled)).toBe(1);
    socket.send(reports.status(enrolled, 2n));
    await socket.next('ack', (a) => a.seq === 2n);
    socket.send(reports.status(enrolled, 1n));
    const replay = await socket.next('ack', (a) => a.seq === 1n && a.duplicate);
    expect(replay.duplicate).toBe(true);
    expect(await statusCount(enrolled)).toBe(2);
    socket.close();
  });

  it('remembers the last seq across connections (Welcome.last_seq) and absorbs a resend after reconnecting', async () => {
    const { agent, enrolled, socket } = await online();
    socket.send(reports.heartbeat(enrolled, 5n));
    await socket.next('ack', (a) => a.seq === 5n);
    socket.send(reports.status(enrolled, 6n));
    await socket.next('ack', (a) => a.seq === 6n);
    socket.close();
    await socket.closed;
    await until(async () => {
      const [row] = await db().query<{ last_seq: string }>('SELECT last_seq FROM agent WHERE agent_id = $1', [
        enrolled.agentId,
      ]);
      return row?.last_seq === '6';
    }, 'last seq flushed');
    const again = await agent.connected(stack.gateway.url, enrolled.credential);
    expect((await again.next('welcome')).lastSeq).toBe(6n);
    again.send(reports.status(enrolled, 6n));
    expect((await again.next('ack', (a) => a.seq === 6n)).duplicate).toBe(true);
    expect(await statusCount(enrolled)).toBe(1);
    again.close();
  });

  it('acknowledges nothing after a report it could not store: the connection ends, and the resend is stored, not taken for a duplicate', async () => {
    const { agent, enrolled, socket } = await online();
    const telemetry = (await stack.admin.jsm.streams.info('AGENT_TELEMETRY')).config;
    await stack.admin.jsm.streams.delete('AGENT_TELEMETRY');
    try {
      socket.send(reports.status(enrolled, 1n));
      const goodbye = await socket.next('goodbye');
      expect(goodbye.detail).toMatch(/could not be stored/);
      expect(goodbye.reconnectAfter?.seconds).toBe(5n);
    } finally {
      await stack.admin.jsm.streams.add(telemetry);
    }
    // Sent after the failure: never taken on the ended connection, so no hole hides seq 1.
    socket.send(reports.status(enrolled, 2n));
    await socket.closed;
    expect(socket.all('ack')).toEqual([]);
    const again = await agent.connected(stack.gateway.url, enrolled.credential);
    expect((await again.next('welcome')).lastSeq).toBe(0n);
    again.send(reports.status(enrolled, 1n));
    again.send(reports.status(enrolled, 2n));
    expect((await again.next('ack', (a) => a.seq === 1n)).duplicate).toBe(false);
    expect((await again.next('ack', (a) => a.seq === 2n)).duplicate).toBe(false);
    expect(await statusCount(enrolled)).toBe(2);
    again.close();
  });

  it('stores facts on the agent’s facts subject before acknowledging them', async () => {
    const { enrolled, socket } = await online();
    socket.send({
      frame: {
        case: 'facts',
        value: {
          agentId: enrolled.agentId,
          seq: 1n,
          machineId: enrolled.machineId,
          identity: { serial: 'SN-1', macs: ['52:54:00:aa:bb:cc'] },
          hardware: {},
          os: { id: 'debian', name: 'Debian GNU/Linux', version: '12', kernel: '6.1.0-18-amd64' },
          collectedAt: { seconds: BigInt(Math.floor(Date.now() / 1000)) },
        },
      },
    });
    expect((await socket.next('ack', (a) => a.seq === 1n)).duplicate).toBe(false);
    const subject = contracts.agentFacts.subject({ siteId: site, agentId: enrolled.agentId });
    const info = await stack.admin.jsm.streams.info('AGENT_TELEMETRY', { subjects_filter: subject });
    expect(info.state.subjects?.[subject]).toBe(1);
    socket.close();
  });

  it('puts a heartbeat into the AGENT_HEARTBEATS bucket and keeps last-seen without a write per beat', async () => {
    const { enrolled, socket } = await online();
    socket.send(reports.heartbeat(enrolled, 1n));
    await socket.next('ack', (a) => a.seq === 1n);
    const subject = contracts.agentHeartbeat.subject({ siteId: site, agentId: enrolled.agentId });
    const stored = await stack.admin.jsm.direct.getMessage('KV_AGENT_HEARTBEATS', { last_by_subj: subject });
    expect(stored?.seq).toBeGreaterThan(0);
    socket.close();
  });
});

describe('frames that break the protocol', () => {
  it('refuses a frame naming another agent, and ends the connection on the second', async () => {
    const { enrolled, socket } = await online();
    socket.send(reports.status(enrolled, 1n, 'someone-else'));
    const refused = await socket.next('refused', (r) => r.seq === 1n);
    expect(refused.reason).toContain('someone-else');
    socket.send(reports.status(enrolled, 2n, 'someone-else'));
    expect((await socket.next('goodbye')).reason).toBe(GoodbyeReason.PROTOCOL);
    await socket.closed;
    expect(await statusCount(enrolled)).toBe(0);
  });

  it('refuses a frame that breaks a rule, by its seq, and keeps the connection', async () => {
    const { enrolled, socket } = await online();
    const bad = reports.status(enrolled, 3n);
    bad.frame.value.progressPercent = 101;
    socket.send(bad);
    expect((await socket.next('refused', (r) => r.seq === 3n)).reason).toMatch(/progress_percent/);
    socket.send(reports.status(enrolled, 4n));
    expect((await socket.next('ack', (a) => a.seq === 4n)).duplicate).toBe(false);
    socket.close();
  });

  it('ends the connection on bytes that are no AgentFrame', async () => {
    const { socket } = await online();
    socket.sendRaw(new Uint8Array([0xff, 0xff, 0xff, 0xff]));
    expect((await socket.next('goodbye')).reason).toBe(GoodbyeReason.PROTOCOL);
    await socket.closed;
  });

  it('closes with 1009 on a frame over the size limit, and counts it', async () => {
    const { socket } = await online();
    socket.sendRaw(new Uint8Array(8192));
    expect((await socket.closed).code).toBe(1009);
    const metrics = await (await fetch(`${stack.gateway.url}/metrics`)).text();
    expect(metrics).toMatch(
      /muster_gateway_frames_refused_total\{reason="oversized",service="agent-gateway"\} [1-9]/,
    );
  });
});

describe('revocation', () => {
  it('closes the live connection with Goodbye CREDENTIAL and refuses the next connect with 403', async () => {
    const { agent, enrolled, socket } = await online();
    const res = await operatorFetch(stack.gateway, `/v1/agents/${enrolled.agentId}/revoke`, {
      method: 'POST',
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { revoked: boolean }).revoked).toBe(true);
    expect((await socket.next('goodbye')).reason).toBe(GoodbyeReason.CREDENTIAL);
    await socket.closed;
    expect(await agent.connect(stack.gateway.url, enrolled.credential)).toEqual({ refused: 403 });
  });

  it('reaches a connection whose credential was revoked without a signal, by the instance’s own poll', async () => {
    const { enrolled, socket } = await online();
    await db().query('UPDATE agent_credential SET revoked_at = now() WHERE agent_id = $1', [
      enrolled.agentId,
    ]);
    expect((await socket.next('goodbye', () => true, 20_000)).reason).toBe(GoodbyeReason.CREDENTIAL);
  });

  it('ends a connection when its credential expires', async () => {
    const shortLived = await stack.startInstance({
      MUSTER_GATEWAY_INSTANCE_ID: 'gw-short',
      MUSTER_GATEWAY_CREDENTIAL_TTL_SECONDS: '2',
    });
    try {
      const { agent, enrolled } = await enrolledAgent(shortLived, site);
      const socket = await agent.connected(shortLived.url, enrolled.credential);
      await socket.next('welcome');
      const goodbye = await socket.next('goodbye');
      expect(goodbye.reason).toBe(GoodbyeReason.CREDENTIAL);
      expect(goodbye.detail).toMatch(/expired/);
    } finally {
      await shortLived.close();
    }
  });

  it('reaches a connection held by another instance', async () => {
    const other = await stack.startInstance({ MUSTER_GATEWAY_INSTANCE_ID: 'gw-other' });
    try {
      const { agent, enrolled } = await enrolledAgent(stack.gateway, site);
      const socket = await agent.connected(other.url, enrolled.credential);
      await socket.next('welcome');
      await operatorFetch(stack.gateway, `/v1/agents/${enrolled.agentId}/revoke`, { method: 'POST' });
      expect((await socket.next('goodbye')).reason).toBe(GoodbyeReason.CREDENTIAL);
    } finally {
      await other.close();
    }
  });
});

describe('listing agents', () => {
  it('shows which agents are connected, and where', async () => {
    const { enrolled, socket } = await online();
    await until(async () => {
      const body = (await (await operatorFetch(stack.gateway, `/v1/agents/${enrolled.agentId}`)).json()) as {
        connected: boolean;
      };
      return body.connected;
    }, 'agent shown connected');
    const connected = (await (
      await operatorFetch(stack.gateway, `/v1/agents?site=${site}&connected=true&limit=1000`)
    ).json()) as { agents: { agentId: string; gatewayInstance: string }[] };
    expect(connected.agents.map((a) => a.agentId)).toContain(enrolled.agentId);
    socket.close();
    await socket.closed;
    await until(async () => {
      const body = (await (
        await operatorFetch(stack.gateway, `/v1/agents?site=${site}&connected=false&limit=1000`)
      ).json()) as { agents: { agentId: string }[] };
      return body.agents.some((a) => a.agentId === enrolled.agentId);
    }, 'agent shown disconnected');
  });
});
