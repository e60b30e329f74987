import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streams } from '@muster/contracts';
import { KeyValueBucket } from '@muster/messaging';
import { operatorFetch, type RunningService } from '@muster/runtime/testing';
import { enrolledAgent, startGatewayStack, until, type GatewayStack, sql } from './fixtures/gateway-stack.js';
import { reports } from './fixtures/test-agent.js';

let stack: GatewayStack;
let presence: KeyValueBucket;
const site = 'branch-life';

beforeAll(async () => {
  stack = await startGatewayStack();
  presence = new KeyValueBucket(
    stack.admin,
    streams.find((s) => s.name === 'KV_AGENT_PRESENCE')!,
  );
});
afterAll(async () => stack?.close());

const holderOf = async (agentId: string) => {
  const entry = await presence.get(`site.${site}.agent.${agentId}`);
  return (
    entry &&
    (JSON.parse(new TextDecoder().decode(entry.value)) as { instanceId: string; connectionId: string })
  );
};

describe('presence', () => {
  it('names the instance holding the agent while connected, and is removed on a clean disconnect', async () => {
    const { agent, enrolled } = await enrolledAgent(stack.gateway, site);
    const socket = await agent.connected(stack.gateway.url, enrolled.credential);
    await socket.next('welcome');
    await until(async () => (await holderOf(enrolled.agentId)) !== undefined, 'presence written');
    expect((await holderOf(enrolled.agentId))!.instanceId).toMatch(/^gw-/);
    socket.close();
    await socket.closed;
    await until(async () => (await holderOf(enrolled.agentId)) === undefined, 'presence removed');
  });

  it('is refreshed while the agent stays connected, so it does not age out', async () => {
    const refreshing = await stack.startInstance({
      MUSTER_GATEWAY_INSTANCE_ID: 'gw-refresh',
      MUSTER_GATEWAY_PRESENCE_REFRESH_SECONDS: '1',
    });
    try {
      const { agent, enrolled } = await enrolledAgent(stack.gateway, site);
      const socket = await agent.connected(refreshing.url, enrolled.credential);
      await socket.next('welcome');
      const key = `site.${site}.agent.${enrolled.agentId}`;
      await until(async () => (await presence.get(key)) !== undefined, 'presence written');
      const first = (await presence.get(key))!.revision;
      await until(async () => ((await presence.get(key))?.revision ?? 0) > first, 'presence rewritten');
      socket.close();
    } finally {
      await refreshing.close();
    }
  });

  it('moves to the instance of the newer connection, which supersedes the older one across instances', async () => {
    const other = await stack.startInstance({ MUSTER_GATEWAY_INSTANCE_ID: 'gw-second' });
    try {
      const { agent, enrolled } = await enrolledAgent(stack.gateway, site);
      const first = await agent.connected(stack.gateway.url, enrolled.credential);
      await first.next('welcome');
      const second = await agent.connected(other.url, enrolled.credential);
      await second.next('welcome');
      expect((await first.next('goodbye')).reason).toBe(5); // SUPERSEDED
      await first.closed;
      await until(
        async () => (await holderOf(enrolled.agentId))?.instanceId === 'gw-second',
        'presence moved',
      );
      second.send(reports.heartbeat(enrolled, 1n));
      await second.next('ack', (a) => a.seq === 1n);
      second.close();
    } finally {
      await other.close();
    }
  });
});

describe('a gateway instance stopping', () => {
  let instance: RunningService;

  beforeAll(async () => {
    instance = await stack.startInstance({
      MUSTER_GATEWAY_INSTANCE_ID: 'gw-stopping',
      MUSTER_GATEWAY_FLUSH_INTERVAL_MS: '60000',
    });
  });

  it('says SHUTDOWN to its agents, removes their presence and writes their last seq', async () => {
    const { agent, enrolled } = await enrolledAgent(stack.gateway, site);
    const socket = await agent.connected(instance.url, enrolled.credential);
    await socket.next('welcome');
    socket.send(reports.status(enrolled, 7n));
    await socket.next('ack', (a) => a.seq === 7n);
    await until(async () => (await holderOf(enrolled.agentId)) !== undefined, 'presence written');
    await instance.close();
    const goodbye = await socket.next('goodbye');
    expect(goodbye.reason).toBe(1); // SHUTDOWN
    await socket.closed;
    expect(await holderOf(enrolled.agentId)).toBeUndefined();
    const [row] = await sql(stack.gateway)<{ last_seq: string }>(
      'SELECT last_seq FROM agent WHERE agent_id = $1',
      [enrolled.agentId],
    );
    expect(row!.last_seq).toBe('7');
  });
});

describe('a command for an agent that comes online after a gateway restart', () => {
  it('is delivered exactly once', async () => {
    const first = await stack.startInstance({ MUSTER_GATEWAY_INSTANCE_ID: 'gw-restart' });
    const { agent, enrolled } = await enrolledAgent(first, site);
    const res = await operatorFetch(first, `/v1/agents/${enrolled.agentId}/commands`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ command: { collectFacts: {} } }),
    });
    const { commandId } = (await res.json()) as { commandId: string };
    await first.close();
    const restarted = await stack.startInstance({ MUSTER_GATEWAY_INSTANCE_ID: 'gw-restart' });
    try {
      const socket = await agent.connected(restarted.url, enrolled.credential);
      const command = await socket.next('command');
      expect(command.keyId).toBe('test-key-1');
      socket.send({ frame: { case: 'commandReceipt', value: { commandId } } });
      await until(async () => {
        const list = (await (
          await operatorFetch(restarted, `/v1/agents/${enrolled.agentId}/commands`)
        ).json()) as {
          commands: { commandId: string; state: string }[];
        };
        return list.commands.some((c) => c.commandId === commandId && c.state === 'delivered');
      }, 'delivered');
      socket.close();
      await socket.closed;
      const again = await agent.connected(restarted.url, enrolled.credential);
      await again.next('welcome');
      await again.next('desiredState');
      expect(again.all('command')).toEqual([]);
      expect(socket.all('command')).toHaveLength(1);
      again.close();
    } finally {
      await restarted.close();
    }
  });
});
