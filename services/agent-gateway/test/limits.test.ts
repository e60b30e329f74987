import { randomUUID } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signCommand } from '@muster/command-signing';
import { AgentCommandSchema, contracts, GoodbyeReason, Interpreter } from '@muster/contracts';
import { EventPublisher } from '@muster/messaging';
import type { RunningService } from '@muster/runtime/testing';
import { enrolledAgent, startGatewayStack, until, type GatewayStack } from './fixtures/gateway-stack.js';
import { reports, type Enrolled } from './fixtures/test-agent.js';

let stack: GatewayStack;
/** An instance with tight limits: 64 KiB unread per agent, 5 frames/s with a burst of 10. */
let tight: RunningService;
const site = 'branch-limits';

beforeAll(async () => {
  stack = await startGatewayStack();
  tight = await stack.startInstance({
    MUSTER_GATEWAY_INSTANCE_ID: 'gw-tight',
    MUSTER_GATEWAY_MAX_BUFFERED_BYTES: String(64 * 1024),
    MUSTER_GATEWAY_FRAME_RATE: '5',
    MUSTER_GATEWAY_FRAME_BURST: '10',
  });
});
afterAll(async () => {
  await tight?.close();
  await stack?.close();
});

const metric = async (service: RunningService, pattern: RegExp) =>
  pattern.test(await (await fetch(`${service.url}/metrics`)).text());

/** A large signed command (a 60 KiB script) as the scheduler would publish it. */
function bigCommand(agent: Enrolled) {
  const command = create(AgentCommandSchema, {
    commandId: randomUUID(),
    agentId: agent.agentId,
    issuedAt: timestampFromDate(new Date()),
    expiresAt: timestampFromDate(new Date(Date.now() + 3600_000)),
    issuedBy: 'scheduler',
    command: {
      case: 'runScript',
      value: { interpreter: Interpreter.SH, script: 'x'.repeat(60 * 1024), timeout: { seconds: 60n } },
    },
  });
  return signCommand(command, stack.signingKey);
}

describe('a slow client that never reads', () => {
  it('is disconnected (SLOW_CONSUMER) while another agent on the same instance keeps working', async () => {
    const slow = await enrolledAgent(stack.gateway, site);
    const busy = await enrolledAgent(stack.gateway, site);
    const slowSocket = await slow.agent.connected(tight.url, slow.enrolled.credential);
    await slowSocket.next('welcome');
    slowSocket.ws.pause(); // reads nothing from now on
    const busySocket = await busy.agent.connected(tight.url, busy.enrolled.credential);
    await busySocket.next('welcome');

    const scheduler = new EventPublisher(stack.admin, '/muster/scheduler');
    const params = { siteId: site, agentId: slow.enrolled.agentId };
    // Far more than the socket buffers hold: the gateway's own buffer for the agent grows.
    for (let i = 0; i < 400; i++)
      await scheduler.publish(contracts.agentCommand, params, bigCommand(slow.enrolled));

    await until(
      () =>
        metric(tight, /muster_gateway_disconnects_total\{reason="slow_consumer",service="agent-gateway"\} 1/),
      'the slow agent disconnected',
      60_000,
    );
    busySocket.send(reports.status(busy.enrolled, 1n));
    expect((await busySocket.next('ack', (a) => a.seq === 1n)).duplicate).toBe(false);
    slowSocket.ws.resume();
    await slowSocket.closed;
    busySocket.close();
  });
});

describe('an agent over its frame rate', () => {
  it('has a burst acknowledged, is told to slow down beyond it, then sent away with RATE', async () => {
    const { agent, enrolled } = await enrolledAgent(stack.gateway, site);
    const socket = await agent.connected(tight.url, enrolled.credential);
    await socket.next('welcome');
    for (let seq = 1n; seq <= 10n; seq++) socket.send(reports.heartbeat(enrolled, seq));
    await socket.next('ack', (a) => a.seq === 10n);
    expect(socket.all('ack')).toHaveLength(10);
    expect(socket.all('slowDown')).toEqual([]);
    for (let seq = 11n; seq <= 50n; seq++) socket.send(reports.heartbeat(enrolled, seq));
    const slowDown = await socket.next('slowDown');
    expect(slowDown.minReportInterval?.nanos).toBe(200_000_000);
    const goodbye = await socket.next('goodbye');
    expect(goodbye.reason).toBe(GoodbyeReason.RATE);
    expect(goodbye.reconnectAfter?.seconds).toBe(30n);
    await socket.closed;
    expect(
      await metric(
        tight,
        /muster_gateway_frames_refused_total\{reason="rate",service="agent-gateway"\} [1-9]/,
      ),
    ).toBe(true);
  });
});

describe('a socket that stops answering pings', () => {
  it('is dropped by the keepalive', async () => {
    const beating = await stack.startInstance({
      MUSTER_GATEWAY_INSTANCE_ID: 'gw-keepalive',
      MUSTER_GATEWAY_HEARTBEAT_INTERVAL_SECONDS: '1',
    });
    try {
      const { agent, enrolled } = await enrolledAgent(stack.gateway, site);
      const socket = await agent.connect(beating.url, enrolled.credential, undefined, { autoPong: false });
      if (!('ws' in socket)) throw new Error('refused');
      await socket.next('welcome');
      expect((await socket.closed).code).toBe(1006);
      expect(
        await metric(beating, /muster_gateway_disconnects_total\{reason="dead",service="agent-gateway"\} 1/),
      ).toBe(true);
    } finally {
      await beating.close();
    }
  });
});
