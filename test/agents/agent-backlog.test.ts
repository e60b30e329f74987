import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startGatewayStack, type GatewayStack } from './gateway-stack.fixture.js';
import { checkDelivery } from './simulator/checker.js';
import { Fleet } from './simulator/fleet.js';

/**
 * An agent that was offline comes back with more reports than a gateway takes in one burst
 * (100 frames by default): it sends them paced, so the gateway never has to slow it down or
 * drop it, and every report is stored once.
 */
let stack: GatewayStack;
let fleet: Fleet;

beforeAll(async () => {
  stack = await startGatewayStack(inject('servers'), 1);
  fleet = await Fleet.enroll({
    gateways: [stack.gateways[0]!.url],
    siteId: stack.siteId,
    operatorToken: stack.operatorToken,
    count: 1,
    sources: ['127.0.0.1'],
    run: stack.siteId,
    flow: { ratePerSecond: 18, burst: 20 },
  });
});

afterAll(async () => {
  await fleet?.stop();
  await stack?.close();
});

describe('a backlog after time offline', () => {
  it('goes through paced, without SlowDown, Goodbye or loss', async () => {
    const agent = fleet.agents[0]!;
    const settled = Array.from({ length: 150 }, () => agent.status());
    agent.connect({ urls: [stack.gateways[0]!.url], firstUrl: 0, heartbeatMs: 0 });
    const outcomes = await Promise.all(settled);
    expect(outcomes.every((o) => o.outcome === 'stored')).toBe(true);
    expect(agent.session.stats).toMatchObject({ slowDowns: 0, goodbyes: 0, welcomes: 1 });
    const result = await checkDelivery(stack.bus, stack.siteId, [agent.record], 1_000);
    expect(result).toMatchObject({ sent: 150, stored: 150, lost: 0, duplicated: 0 });
  });
});
