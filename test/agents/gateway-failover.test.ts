import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { until } from '@muster/messaging/testing';
import { startGatewayStack, type GatewayStack } from './gateway-stack.fixture.js';
import { checkDelivery, formatAccounting } from './simulator/checker.js';
import { Fleet } from './simulator/fleet.js';
import { loopbackSources } from './simulator/source-addresses.js';

/**
 * Issue 14's fault: one gateway instance of two killed (SIGKILL: no goodbye, no flush) while its
 * agents send status events; its agents reconnect to the other instance, resend what was not
 * acknowledged, and the checker finds every event stored exactly once.
 */
const AGENTS = 100;
let stack: GatewayStack;
let fleet: Fleet;

beforeAll(async () => {
  stack = await startGatewayStack(inject('servers'), 2);
  fleet = await Fleet.enroll({
    gateways: stack.gateways.map((g) => g.url),
    siteId: stack.siteId,
    operatorToken: stack.operatorToken,
    count: AGENTS,
    sources: loopbackSources(4),
    run: stack.siteId,
  });
  await fleet.connect({ heartbeatMs: 2_000, timeoutMs: 60_000 });
});

afterAll(async () => {
  await fleet?.stop();
  await stack?.close();
});

describe('one gateway of two killed under load', () => {
  it('moves its agents to the other, and loses and duplicates nothing', async () => {
    const [first, second] = stack.gateways;
    const onFirst = fleet.agents.filter((a) => a.gatewayUrl === first!.url);
    expect(onFirst.length).toBeGreaterThan(0);
    await Promise.all(fleet.agents.map((a) => a.facts()));

    // Every agent sends a status every 200 ms; half-way, the first instance dies.
    let sending = true;
    const load = Promise.all(
      fleet.agents.map(async (agent) => {
        while (sending) {
          agent.status().catch((err: unknown) => console.error(err));
          await new Promise((r) => setTimeout(r, 200));
        }
      }),
    );
    await new Promise((r) => setTimeout(r, 3_000));
    await first!.stop('SIGKILL');
    await new Promise((r) => setTimeout(r, 4_000));
    sending = false;
    await load;

    await until(
      () => onFirst.every((a) => a.session.isWelcomed && a.gatewayUrl === second!.url),
      30_000,
      'the dead instance’s agents on the other instance',
    );
    await fleet.drain(60_000);
    const result = await checkDelivery(
      stack.bus,
      stack.siteId,
      fleet.agents.map((a) => a.record),
    );
    const frames = fleet.agents.reduce((n, a) => n + a.session.stats.reportsSent, 0);
    const beats = result.heartbeats.sent;
    console.log(`failover: ${formatAccounting(result)} resent=${frames - result.sent - beats}`);
    expect(result.sent).toBeGreaterThan(AGENTS * 10);
    expect(result.unsettled).toBe(0);
    expect(result.refused).toBe(0);
    expect(result.lost).toBe(0);
    expect(result.duplicated).toBe(0);
    expect(result.unknown).toBe(0);
    expect(result.heartbeats.agentsBehind).toBe(0);
    // The moved agents really reconnected (the kill was felt), and nobody stopped for good.
    expect(onFirst.every((a) => (a.connectionStats?.opened ?? 0) >= 2)).toBe(true);
    expect(fleet.agents.filter((a) => a.stopReason !== undefined)).toEqual([]);
  });
});
