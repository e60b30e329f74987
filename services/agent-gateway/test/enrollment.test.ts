import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operatorFetch } from '@muster/runtime/testing';
import {
  enrolledAgent,
  issueToken,
  startGatewayStack,
  type GatewayStack,
  sql,
} from './fixtures/gateway-stack.js';
import { AgentSocket, TestAgent } from './fixtures/test-agent.js';

let stack: GatewayStack;
const site = 'branch-enroll';

beforeAll(async () => {
  stack = await startGatewayStack();
});
afterAll(async () => stack?.close());

const db = () => ({ query: sql(stack.gateway) });

describe('bootstrap tokens', () => {
  it('are shown once, listed without the secret, and stored only hashed', async () => {
    const issued = await issueToken(stack.gateway, site);
    expect(issued.token).toMatch(/^mbt_[0-9a-f]{20}_[A-Za-z0-9_-]{43}$/);
    const list = (await (await operatorFetch(stack.gateway, '/v1/bootstrap-tokens?limit=1000')).json()) as {
      bootstrapTokens: Record<string, unknown>[];
    };
    const listed = list.bootstrapTokens.find((t) => t['tokenId'] === issued.tokenId)!;
    expect(listed).toMatchObject({ siteId: site, state: 'active' });
    // The secret is everything after mbt_<id>_ (base64url: it may itself hold a _).
    expect(JSON.stringify(list)).not.toContain(issued.token.slice('mbt_'.length + 21));
    const [row] = await db().query<{ secret_hash: Buffer }>(
      'SELECT secret_hash FROM bootstrap_token WHERE token_id = $1',
      [issued.tokenId],
    );
    expect(row!.secret_hash).toHaveLength(32);
  });

  it('refuse a lifetime over seven days', async () => {
    const res = await operatorFetch(stack.gateway, '/v1/bootstrap-tokens', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ siteId: site, expiresInSeconds: 8 * 86400 }),
    });
    expect(res.status).toBe(400);
  });

  it('page with next', async () => {
    for (let i = 0; i < 3; i++) await issueToken(stack.gateway, 'branch-paging');
    const first = (await (await operatorFetch(stack.gateway, '/v1/bootstrap-tokens?limit=2')).json()) as {
      bootstrapTokens: { tokenId: string }[];
      next: string;
    };
    const second = (await (
      await operatorFetch(stack.gateway, `/v1/bootstrap-tokens?limit=2&after=${first.next}`)
    ).json()) as { bootstrapTokens: { tokenId: string }[] };
    const ids = [...first.bootstrapTokens, ...second.bootstrapTokens].map((t) => t.tokenId);
    expect(new Set(ids).size).toBe(4);
  });
});

describe('POST /v1/agent/enroll', () => {
  it('binds the agent to its machine and returns a credential and the trusted command keys', async () => {
    const { enrolled } = await enrolledAgent(stack.gateway, site);
    expect(enrolled.agentId).toMatch(/^agt-[0-9a-f]{16}$/);
    expect(enrolled.siteId).toBe(site);
    expect(enrolled.credential).toMatch(/^mac_/);
    expect(Object.keys(enrolled.commandKeys ?? {})).toEqual(['test-key-1']);
    expect(stack.inventory.machines.get(enrolled.machineId)?.agentId).toBe(enrolled.agentId);
    const expires = new Date(enrolled.credentialExpiresAt).getTime();
    expect(expires).toBeGreaterThan(Date.now() + 23 * 3600_000);
    const agent = (await (
      await operatorFetch(stack.gateway, `/v1/agents/${enrolled.agentId}`)
    ).json()) as Record<string, unknown>;
    expect(agent).toMatchObject({ agentId: enrolled.agentId, machineId: enrolled.machineId, revoked: false });
  });

  it('uses a token once: a second enrollment with it is refused', async () => {
    const { token } = await issueToken(stack.gateway, site);
    expect((await new TestAgent().enroll(stack.gateway.url, token)).status).toBe(201);
    const again = await new TestAgent().enroll(stack.gateway.url, token);
    expect(again.status).toBe(401);
    expect(again.body['detail']).toMatch(/already used/);
  });

  it('refuses an expired, a revoked and an unknown token', async () => {
    const expired = await issueToken(stack.gateway, site);
    await db().query(
      `UPDATE bootstrap_token SET expires_at = now() - interval '1 second' WHERE token_id = $1`,
      [expired.tokenId],
    );
    const expiredTry = await new TestAgent().enroll(stack.gateway.url, expired.token);
    expect(expiredTry.status).toBe(401);
    expect(expiredTry.body['detail']).toMatch(/expired/);

    const revoked = await issueToken(stack.gateway, site);
    expect(
      (await operatorFetch(stack.gateway, `/v1/bootstrap-tokens/${revoked.tokenId}`, { method: 'DELETE' }))
        .status,
    ).toBe(204);
    const revokedTry = await new TestAgent().enroll(stack.gateway.url, revoked.token);
    expect(revokedTry.status).toBe(401);
    expect(revokedTry.body['detail']).toMatch(/revoked/);

    const forged = `mbt_${revoked.tokenId}_${'A'.repeat(43)}`;
    expect((await new TestAgent().enroll(stack.gateway.url, forged)).status).toBe(401);
  });

  it('refuses a proof by another key, and leaves the token usable', async () => {
    const { token } = await issueToken(stack.gateway, site);
    const agent = new TestAgent();
    const other = new TestAgent();
    const bad = await agent.enroll(stack.gateway.url, token, {
      proof: other.proof('muster.agent.enroll.v1', token).toString('base64'),
    });
    expect(bad.status).toBe(401);
    expect(bad.body['detail']).toMatch(/proof/);
    expect((await agent.enroll(stack.gateway.url, token)).status).toBe(201);
  });

  it('answers 400 naming the field for a body that breaks the contract', async () => {
    const { token } = await issueToken(stack.gateway, site);
    const res = await new TestAgent().enroll(stack.gateway.url, token, { publicKey: 'AAAA' });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body['invalid-params'])).toContain('public_key');
  });

  it('answers 503 while inventory does not answer, without using the token', async () => {
    const { token, tokenId } = await issueToken(stack.gateway, site);
    await stack.inventory.stop();
    try {
      expect((await new TestAgent().enroll(stack.gateway.url, token)).status).toBe(503);
    } finally {
      await stack.inventory.resume();
    }
    const [row] = await db().query<{ claimed_at: Date | null }>(
      'SELECT claimed_at FROM bootstrap_token WHERE token_id = $1',
      [tokenId],
    );
    expect(row!.claimed_at).toBeNull();
    expect((await new TestAgent().enroll(stack.gateway.url, token)).status).toBe(201);
  });

  it('answers 409 with inventory’s reason when inventory refuses the binding', async () => {
    const { token } = await issueToken(stack.gateway, site);
    stack.inventory.refuse = 'machine is retired';
    try {
      const res = await new TestAgent().enroll(stack.gateway.url, token);
      expect(res.status).toBe(409);
      expect(res.body['detail']).toContain('machine is retired');
    } finally {
      stack.inventory.refuse = undefined;
    }
  });
});

describe('re-enrollment of a re-imaged machine', () => {
  it('revokes the old agent and its credential, and closes its live connection', async () => {
    const first = await enrolledAgent(stack.gateway, site);
    const socket = await first.agent.connected(stack.gateway.url, first.enrolled.credential);
    await socket.next('welcome');
    // Same machine (same serial), new installation: a new key.
    const reimaged = new TestAgent();
    Object.assign(reimaged, { serial: first.agent.serial });
    const second = await enrolledAgent(stack.gateway, site, reimaged);
    expect(second.enrolled.machineId).toBe(first.enrolled.machineId);
    expect(second.enrolled.agentId).not.toBe(first.enrolled.agentId);

    const goodbye = await socket.next('goodbye');
    expect(goodbye.reason).toBe(2); // CREDENTIAL
    await socket.closed;
    const again = await first.agent.connect(stack.gateway.url, first.enrolled.credential);
    expect(again).toEqual({ refused: 403 });
    const old = (await (
      await operatorFetch(stack.gateway, `/v1/agents/${first.enrolled.agentId}`)
    ).json()) as Record<string, unknown>;
    expect(old).toMatchObject({ revoked: true });
    const fresh = await second.agent.connected(stack.gateway.url, second.enrolled.credential);
    await fresh.next('welcome');
    fresh.close();
  });
});

describe('POST /v1/agent/credential/renew', () => {
  it('issues a new credential for a proof by the same key, and refuses another key', async () => {
    const { agent, enrolled } = await enrolledAgent(stack.gateway, site);
    const renew = (proof: Buffer) =>
      fetch(`${stack.gateway.url}/v1/agent/credential/renew`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ credential: enrolled.credential, proof: proof.toString('base64') }),
      });
    const other = new TestAgent();
    expect((await renew(other.proof('muster.agent.renew.v1', enrolled.credential))).status).toBe(401);
    const res = await renew(agent.proof('muster.agent.renew.v1', enrolled.credential));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { credential: string; agentId: string };
    expect(body.agentId).toBe(enrolled.agentId);
    expect(body.credential).not.toBe(enrolled.credential);
    const socket = await agent.connect(stack.gateway.url, body.credential);
    expect(socket).toBeInstanceOf(AgentSocket);
    (socket as AgentSocket).close();
  });
});
