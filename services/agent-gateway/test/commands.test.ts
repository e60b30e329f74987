import { randomUUID } from 'node:crypto';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  generateSigningKey,
  keyRing,
  signCommand,
  trustedKeyFromBytes,
  verifyCommand,
  type SigningKey,
} from '@muster/command-signing';
import { create, toBinary } from '@bufbuild/protobuf';
import { AgentCommandSchema, contracts, deadLetter, SignedAgentCommandSchema } from '@muster/contracts';
import { EventPublisher, prepareMessage } from '@muster/messaging';
import { operatorFetch } from '@muster/runtime/testing';
import { enrolledAgent, startGatewayStack, until, type GatewayStack } from './fixtures/gateway-stack.js';
import { reports, type Enrolled } from './fixtures/test-agent.js';

let stack: GatewayStack;
let scheduler: EventPublisher;
const site = 'branch-cmd';

beforeAll(async () => {
  stack = await startGatewayStack();
  scheduler = new EventPublisher(stack.admin, '/muster/scheduler');
});
afterAll(async () => stack?.close());

interface Listed {
  commandId: string;
  state: string;
  refusal: string | null;
  kind: string;
}

async function commandsOf(agentId: string): Promise<Listed[]> {
  const res = await operatorFetch(stack.gateway, `/v1/agents/${agentId}/commands?limit=1000`);
  return ((await res.json()) as { commands: Listed[] }).commands;
}

async function issue(agentId: string, body: Record<string, unknown>) {
  const res = await operatorFetch(stack.gateway, `/v1/agents/${agentId}/commands`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { commandId: string; expiresAt: string } };
}

/** A command as the scheduler would publish it, signed by `key`. */
function schedulerCommand(agent: Enrolled, key: SigningKey, expiresAt = new Date(Date.now() + 3600_000)) {
  const commandId = randomUUID();
  const command = create(AgentCommandSchema, {
    commandId,
    agentId: agent.agentId,
    issuedAt: timestampFromDate(new Date(Date.now() - 10_000)),
    expiresAt: timestampFromDate(expiresAt),
    issuedBy: 'scheduler',
    command: { case: 'reboot', value: {} },
  });
  return { commandId, signed: signCommand(command, key) };
}

describe('an operator’s command', () => {
  it('waits for an offline agent, reaches it on connect signed by a trusted key, and only once', async () => {
    const { agent, enrolled } = await enrolledAgent(stack.gateway, site);
    const issued = await issue(enrolled.agentId, { command: { collectFacts: {} }, expiresInSeconds: 600 });
    expect(issued.status).toBe(202);
    await until(
      async () => (await commandsOf(enrolled.agentId)).some((c) => c.state === 'pending'),
      'pending',
    );

    const socket = await agent.connected(stack.gateway.url, enrolled.credential);
    const signed = await socket.next('command');
    const trusted = Object.entries(enrolled.commandKeys ?? {}).map(([id, b64]) =>
      trustedKeyFromBytes(id, Buffer.from(b64, 'base64')),
    );
    const command = verifyCommand(signed, trusted, enrolled.agentId);
    expect(command.commandId).toBe(issued.body.commandId);
    expect(command.command.case).toBe('collectFacts');
    // The operator the API token names (the test token), as the guard authenticated it.
    expect(command.issuedBy).toBe('operator:test-operator');
    socket.send({ frame: { case: 'commandReceipt', value: { commandId: command.commandId } } });
    await until(async () => (await commandsOf(enrolled.agentId))[0]?.state === 'delivered', 'delivered');
    socket.close();
    await socket.closed;

    const again = await agent.connected(stack.gateway.url, enrolled.credential);
    await again.next('welcome');
    await again.next('desiredState');
    expect(again.all('command')).toEqual([]);
    expect(socket.all('command')).toHaveLength(1);
    again.close();
  });

  it('reaches an online agent through the instance that holds its connection', async () => {
    const other = await stack.startInstance({ MUSTER_GATEWAY_INSTANCE_ID: 'gw-holder' });
    try {
      const { agent, enrolled } = await enrolledAgent(stack.gateway, site);
      const socket = await agent.connected(other.url, enrolled.credential);
      await socket.next('welcome');
      await until(async () => (await commandsOf(enrolled.agentId)).length === 0, 'no command yet');
      const issued = await issue(enrolled.agentId, { command: { reboot: {} } });
      const signed = await socket.next('command');
      const decoded = verifyCommand(signed, keyRing([stack.signingKey]).trusted, enrolled.agentId);
      expect(decoded.commandId).toBe(issued.body.commandId);
      socket.close();
    } finally {
      await other.close();
    }
  });

  it('is not marked delivered by another agent’s receipt', async () => {
    const target = await enrolledAgent(stack.gateway, site);
    const other = await enrolledAgent(stack.gateway, site);
    const issued = await issue(target.enrolled.agentId, { command: { reboot: {} } });
    await until(async () => (await commandsOf(target.enrolled.agentId)).length === 1, 'recorded');
    const socket = await other.agent.connected(stack.gateway.url, other.enrolled.credential);
    await socket.next('welcome');
    socket.send({ frame: { case: 'commandReceipt', value: { commandId: issued.body.commandId } } });
    socket.send(reports.heartbeat(other.enrolled, 1n));
    // Frames are handled in order: once the heartbeat is acknowledged, the receipt was handled.
    await socket.next('ack', (a) => a.seq === 1n);
    expect((await commandsOf(target.enrolled.agentId))[0]?.state).toBe('pending');
    socket.close();
  });

  it('is never sent once expired', async () => {
    const { agent, enrolled } = await enrolledAgent(stack.gateway, site);
    await issue(enrolled.agentId, { command: { reboot: {} }, expiresInSeconds: 1 });
    await until(async () => (await commandsOf(enrolled.agentId)).length === 1, 'recorded');
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const socket = await agent.connected(stack.gateway.url, enrolled.credential);
    await socket.next('welcome');
    await socket.next('desiredState');
    expect(socket.all('command')).toEqual([]);
    expect((await commandsOf(enrolled.agentId))[0]?.state).toBe('expired');
    socket.close();
  });

  it('answers 400 for no command, two commands or one that breaks its rules, and 404 for an unknown agent', async () => {
    const { enrolled } = await enrolledAgent(stack.gateway, site);
    expect((await issue(enrolled.agentId, { command: {} })).status).toBe(400);
    expect((await issue(enrolled.agentId, { command: { reboot: {}, collectFacts: {} } })).status).toBe(400);
    expect((await issue(enrolled.agentId, { command: { runScript: { script: '' } } })).status).toBe(400);
    expect((await issue('agt-nobody', { command: { reboot: {} } })).status).toBe(404);
  });
});

describe('a command from the bus', () => {
  it('signed by an untrusted key, tampered with, or already expired is refused, recorded and never sent', async () => {
    const { agent, enrolled } = await enrolledAgent(stack.gateway, site);
    const socket = await agent.connected(stack.gateway.url, enrolled.credential);
    await socket.next('welcome');
    const params = { siteId: site, agentId: enrolled.agentId };
    const stranger = generateSigningKey('test-key-1').key; // the trusted id, another key
    const untrusted = schedulerCommand(enrolled, stranger);
    const tampered = schedulerCommand(enrolled, stack.signingKey);
    tampered.signed.command = new Uint8Array([...tampered.signed.command, 0x60, 0x01]);
    const expired = schedulerCommand(enrolled, stack.signingKey, new Date(Date.now() - 1_000));
    const good = schedulerCommand(enrolled, stack.signingKey);
    for (const c of [untrusted, tampered, expired, good])
      await scheduler.publish(contracts.agentCommand, params, c.signed);

    const received = await socket.next('command');
    expect(verifyCommand(received, keyRing([stack.signingKey]).trusted, enrolled.agentId).commandId).toBe(
      good.commandId,
    );
    await until(async () => (await commandsOf(enrolled.agentId)).length === 4, 'all four recorded');
    const listed = await commandsOf(enrolled.agentId);
    const refusals = listed
      .filter((c) => c.state === 'refused')
      .map((c) => c.refusal!.split(':')[0])
      .sort();
    expect(refusals).toEqual(['bad-signature', 'bad-signature', 'expired']);
    expect(listed.find((c) => c.commandId === good.commandId)?.state).toBe('pending');
    expect(socket.all('command')).toHaveLength(1);
    const metrics = await (await fetch(`${stack.gateway.url}/metrics`)).text();
    expect(metrics).toMatch(
      /muster_gateway_commands_total\{outcome="refused",service="agent-gateway"\} [3-9]/,
    );
    socket.close();
  });

  it('without a signature breaks the contract and goes to dead letter, never to the agent', async () => {
    const { agent, enrolled } = await enrolledAgent(stack.gateway, site);
    const socket = await agent.connected(stack.gateway.url, enrolled.credential);
    await socket.next('welcome');
    const { signed } = schedulerCommand(enrolled, stack.signingKey);
    const prepared = prepareMessage(
      '/muster/scheduler',
      contracts.agentCommand,
      { siteId: site, agentId: enrolled.agentId },
      signed,
    );
    const unsigned = create(SignedAgentCommandSchema, { command: signed.command, keyId: signed.keyId });
    await scheduler.publishPrepared({ ...prepared, payload: toBinary(SignedAgentCommandSchema, unsigned) });
    const subject = deadLetter.subject('agent-gateway-agent-command');
    await until(async () => {
      const info = await stack.admin.jsm.streams.info('DEADLETTER', { subjects_filter: subject });
      return (info.state.subjects?.[subject] ?? 0) > 0;
    }, 'dead letter');
    const stored = await stack.admin.jsm.streams.getMessage('DEADLETTER', { last_by_subj: subject });
    expect(stored?.header.get('ce-id')).toBe(prepared.id);
    expect(socket.all('command')).toEqual([]);
    expect(await commandsOf(enrolled.agentId)).toEqual([]);
    socket.close();
  });
});
