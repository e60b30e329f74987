import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { enroll, EnrollmentError, renew } from '@muster/agent-client';
import { operatorFetch } from '@muster/runtime/testing';
import { startGatewayStack, type GatewayStack } from './gateway-stack.fixture.js';
import { issueBootstrapTokens } from './simulator/fleet.js';
import { SimAgent } from './simulator/sim-agent.js';
import { simIdentity } from './simulator/sim-identity.js';

/** The client's enrollment, renewal and revocation against a real gateway. */
let stack: GatewayStack;
const agents: SimAgent[] = [];

beforeAll(async () => {
  stack = await startGatewayStack(inject('servers'), 1);
});

afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop()));
  await stack?.close();
});

describe('agent credentials', () => {
  it('enrolls once per token: a second use is an EnrollmentError with the gateway’s reason', async () => {
    const url = stack.gateways[0]!.url;
    const [token] = await issueBootstrapTokens({ url, token: stack.operatorToken }, stack.siteId, 1);
    const first = await enroll(url, token!, simIdentity(stack.siteId, 1), { agentVersion: '1.0.0' });
    expect(first.credentials.siteId).toBe(stack.siteId);
    expect(first.credentials.commandKeys.length).toBeGreaterThan(0);
    const again = enroll(url, token!, simIdentity(stack.siteId, 2), { agentVersion: '1.0.0' });
    await expect(again).rejects.toBeInstanceOf(EnrollmentError);
    await expect(again).rejects.toMatchObject({ status: 401 });
  });

  it('renews its credential with the same key, and connects with the new one', async () => {
    const url = stack.gateways[0]!.url;
    const [token] = await issueBootstrapTokens({ url, token: stack.operatorToken }, stack.siteId, 1);
    const { key, credentials } = await enroll(url, token!, simIdentity(stack.siteId, 3), {
      agentVersion: '1.0.0',
    });
    const renewed = await renew(url, credentials.credential, key);
    expect(renewed.agentId).toBe(credentials.agentId);
    expect(renewed.credential).not.toBe(credentials.credential);
    const agent = await SimAgent.fromCredentials({
      key,
      credentials: renewed,
      identity: simIdentity(stack.siteId, 3),
    });
    agents.push(agent);
    agent.connect({ urls: [url], firstUrl: 0, heartbeatMs: 0 });
    await agent.session.welcome();
    expect((await agent.status()).outcome).toBe('stored');
    // Every connect brings the machine's desired state (here from the inventory stand-in).
    const deadline = Date.now() + 10_000;
    while (agent.record.desiredStates === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(agent.record.desiredStates).toBe(1);
  });

  it('stops for good, without reconnecting, when an operator revokes the agent', async () => {
    const url = stack.gateways[0]!.url;
    const [token] = await issueBootstrapTokens({ url, token: stack.operatorToken }, stack.siteId, 1);
    const agent = await SimAgent.enroll({
      gatewayUrl: url,
      bootstrapToken: token!,
      identity: simIdentity(stack.siteId, 4),
    });
    agents.push(agent);
    agent.connect({ urls: [url], firstUrl: 0, heartbeatMs: 0 });
    await agent.session.welcome();
    const res = await operatorFetch(
      { url: stack.gateways[0]!.url, token: stack.operatorToken },
      `/v1/agents/${agent.agentId}/revoke`,
      {
        method: 'POST',
      },
    );
    expect(res.status, await res.text()).toBeLessThan(300);
    const deadline = Date.now() + 15_000;
    while (agent.stopReason === undefined && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(agent.stopReason).toMatch(/^credential/);
    const opened = agent.connectionStats?.opened;
    await new Promise((r) => setTimeout(r, 1_000));
    expect(agent.connectionStats?.opened).toBe(opened);
  });
});
