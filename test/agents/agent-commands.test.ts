import { randomUUID } from 'node:crypto';
import { create, toBinary } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateSigningKey, parseKeyRing, signCommand } from '@muster/command-signing';
import {
  AgentCommandSchema,
  contracts,
  dataSchemaOf,
  SignedAgentCommandSchema,
  type SignedAgentCommand,
} from '@muster/contracts';
import { envelopeHeaders, EventPublisher } from '@muster/messaging';
import { publishRaw, until } from '@muster/messaging/testing';
import { operatorFetch } from '@muster/runtime/testing';
import { startGatewayStack, type GatewayStack } from './gateway-stack.fixture.js';
import { Fleet } from './simulator/fleet.js';
import type { SimAgent } from './simulator/sim-agent.js';

/**
 * Commands over real gateways: one for an agent that comes online only after its gateway was
 * killed and started again is delivered exactly once; commands that fail the agent's checks are
 * never run, while a good one sent after them is.
 */
let stack: GatewayStack;
let fleet: Fleet;

beforeAll(async () => {
  stack = await startGatewayStack(inject('servers'), 1);
  fleet = await Fleet.enroll({
    gateways: stack.gateways.map((g) => g.url),
    siteId: stack.siteId,
    operatorToken: stack.operatorToken,
    count: 2,
    sources: ['127.0.0.1'],
    run: stack.siteId,
  });
});

afterAll(async () => {
  await fleet?.stop();
  await stack?.close();
});

const deliveries = (agent: SimAgent, commandId: string) =>
  agent.record.commandsRun.filter((id) => id === commandId).length + agent.session.stats.commandsRepeated;

async function issue(agentId: string): Promise<string> {
  const res = await operatorFetch(
    { url: stack.gateways[0]!.url, token: stack.operatorToken },
    `/v1/agents/${agentId}/commands`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ command: { collectFacts: {} }, expiresInSeconds: 600 }),
    },
  );
  expect(res.status, await res.clone().text()).toBe(202);
  return ((await res.json()) as { commandId: string }).commandId;
}

describe('a command for an agent that comes online after a gateway restart', () => {
  it('is delivered exactly once', async () => {
    const agent = fleet.agents[0]!;
    const connect = () => agent.connect({ urls: [stack.gateways[0]!.url], firstUrl: 0, heartbeatMs: 0 });
    // Known to the gateway (it connected once), then offline when the command is issued.
    connect();
    await agent.session.welcome();
    await agent.stop();
    const commandId = await issue(agent.agentId);

    await stack.gateways[0]!.stop('SIGKILL');
    await stack.restart(0);
    connect();
    await until(() => agent.record.commandsRun.includes(commandId), 30_000, 'the command on the agent');

    // Reconnecting again (and again) does not bring it back: the receipt was recorded.
    await new Promise((r) => setTimeout(r, 1_000));
    for (let i = 0; i < 2; i++) {
      await agent.stop();
      connect();
      await agent.session.welcome();
      await new Promise((r) => setTimeout(r, 1_000));
    }
    expect(deliveries(agent, commandId)).toBe(1);
    expect(agent.record.commandsRun).toEqual([commandId]);
  });
});

describe('commands the agent must refuse', () => {
  it('never runs one with a bad signature, a missing signature, or past its expiry', async () => {
    const agent = fleet.agents[1]!;
    agent.connect({ urls: [stack.gateways[0]!.url], firstUrl: 0, heartbeatMs: 0 });
    await agent.session.welcome();
    const signer = parseKeyRing(stack.keyRing).signing;
    const publisher = new EventPublisher(stack.bus, '/muster/test');
    const params = { siteId: stack.siteId, agentId: agent.agentId };
    const command = (expiresInMs: number) =>
      create(AgentCommandSchema, {
        commandId: randomUUID(),
        agentId: agent.agentId,
        issuedAt: timestampFromMs(Date.now() - 120_000),
        expiresAt: timestampFromMs(Date.now() + expiresInMs),
        issuedBy: 'test',
        command: { case: 'collectFacts', value: {} },
      });
    const send = (signed: SignedAgentCommand, id: string) =>
      publisher.publish(contracts.agentCommand, params, signed, { id });

    const refused: string[] = [];
    // Signed by a key nobody trusts, then a valid signature on other bytes.
    const rogue = command(600_000);
    refused.push(rogue.commandId);
    await send(signCommand(rogue, generateSigningKey('rogue').key), rogue.commandId);
    const tampered = command(600_000);
    refused.push(tampered.commandId);
    const forged = signCommand(tampered, signer);
    forged.signature = signCommand(command(600_000), signer).signature;
    await send(forged, tampered.commandId);
    // Expired a minute ago, signed correctly.
    const expired = command(-60_000);
    refused.push(expired.commandId);
    await send(signCommand(expired, signer), expired.commandId);
    // No signature at all: breaks the contract's rules, so only a raw publish can send it.
    const unsigned = command(600_000);
    refused.push(unsigned.commandId);
    await publishRaw(
      stack.bus,
      `muster.site.${stack.siteId}.agent.${agent.agentId}.command.v1`,
      toBinary(
        SignedAgentCommandSchema,
        create(SignedAgentCommandSchema, {
          command: toBinary(AgentCommandSchema, unsigned),
          keyId: signer.keyId,
        }),
      ),
      envelopeHeaders({
        id: unsigned.commandId,
        type: contracts.agentCommand.type,
        source: '/muster/test',
        time: new Date().toISOString(),
        dataschema: dataSchemaOf(SignedAgentCommandSchema.typeName),
      }),
      unsigned.commandId,
    );
    // Then a good one: when it has run, every earlier command had its chance to arrive.
    const good = command(600_000);
    await send(signCommand(good, signer), good.commandId);
    await until(() => agent.record.commandsRun.includes(good.commandId), 30_000, 'the good command');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(agent.record.commandsRun).toEqual([good.commandId]);
    for (const id of refused) expect(agent.record.commandsRun).not.toContain(id);
  });
});
