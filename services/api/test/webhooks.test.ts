import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ownBus, until } from '@muster/messaging/testing';
import { operatorFetch, type RunningService } from '@muster/runtime/testing';
import { uniqueName } from '@muster/testing';
import { verifySignature } from '../src/webhooks/webhook-signature.js';
import { WebhooksRepository } from '../src/webhooks/webhooks.repository.js';
import { FleetPublisher, startApi, startReceiver } from './fleet-events.fixture.js';

const MACHINE = 'io.muster.inventory.machine.updated.v1';
const STATUS = 'io.muster.agent.status.v1';

let env: Awaited<ReturnType<typeof ownBus>>;
let api: RunningService;
let publish: FleetPublisher;
const schema = uniqueName('api');
const receivers: Awaited<ReturnType<typeof startReceiver>>[] = [];

beforeAll(async () => {
  env = await ownBus();
  api = await startApi(env.server.url, inject('servers'), schema);
  publish = new FleetPublisher(env.bus);
});
afterAll(async () => {
  await api?.close();
  await Promise.all(receivers.map((r) => r.close()));
  await env?.close();
});

async function receiver(answer?: (n: number) => number) {
  const r = await startReceiver(answer);
  receivers.push(r);
  return r;
}

interface Created {
  webhookId: string;
  secret: string;
  url: string;
  types: string[];
  site?: string;
}

async function register(body: Record<string, unknown>, on: RunningService = api): Promise<Created> {
  const res = await operatorFetch(on, '/v1/webhooks', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as Created;
}

interface DeliveryView {
  eventId: string;
  eventType: string;
  state: string;
  attempts: number;
  lastStatus?: number;
  lastError?: string;
}

async function deliveries(webhookId: string): Promise<DeliveryView[]> {
  const res = await operatorFetch(api, `/v1/webhooks/${webhookId}/deliveries`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { deliveries: DeliveryView[] }).deliveries;
}

describe('webhooks', () => {
  it('POSTs each matching event as CloudEvents JSON, signed with the secret shown once', async () => {
    const r = await receiver();
    const hook = await register({ url: r.url, types: [MACHINE], site: 'site-w1' });
    expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const shown = (await (await operatorFetch(api, `/v1/webhooks/${hook.webhookId}`)).json()) as Record<
      string,
      unknown
    >;
    expect(shown).toMatchObject({ webhookId: hook.webhookId, url: r.url, types: [MACHINE], site: 'site-w1' });
    expect(shown).not.toHaveProperty('secret');

    const id = await publish.machineUpdated('site-w1');
    await until(() => r.received.length === 1, 15_000, 'the delivery');
    const [got] = r.received;
    expect(got!.headers['content-type']).toMatch(/^application\/cloudevents\+json/);
    expect(got!.headers['ce-id']).toBe(id);
    expect(got!.headers['ce-type']).toBe(MACHINE);
    expect(verifySignature(hook.secret, String(got!.headers['x-muster-signature']), got!.body)).toBe(true);
    expect(verifySignature('whsec_other', String(got!.headers['x-muster-signature']), got!.body)).toBe(false);
    expect(JSON.parse(got!.body)).toMatchObject({
      specversion: '1.0',
      id,
      type: MACHINE,
      data: { siteId: 'site-w1' },
    });
    await until(async () => (await deliveries(hook.webhookId))[0]?.state === 'delivered', 5_000, 'recorded');
    expect(await deliveries(hook.webhookId)).toMatchObject([
      { eventId: id, state: 'delivered', attempts: 1, lastStatus: 200 },
    ]);
  });

  it('retries a receiver that fails twice, and delivers the event once', async () => {
    const r = await receiver((n) => (n <= 2 ? 503 : 204));
    const hook = await register({ url: r.url, site: 'site-w2' });
    const id = await publish.agentStatus('site-w2');
    await until(
      async () => (await deliveries(hook.webhookId))[0]?.state === 'delivered',
      15_000,
      'delivered',
    );
    expect(r.received.map((x) => [x.headers['ce-id'], x.status])).toEqual([
      [id, 503],
      [id, 503],
      [id, 204],
    ]);
    expect(await deliveries(hook.webhookId)).toMatchObject([
      { eventId: id, state: 'delivered', attempts: 3, lastStatus: 204 },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(r.received).toHaveLength(3);
  });

  it('marks a delivery failed after the last attempt, with the attempts and the last answer', async () => {
    const r = await receiver(() => 500);
    const hook = await register({ url: r.url, site: 'site-w3' });
    // A redirect is an answer that does not deliver: it is not followed.
    const moved = await receiver(() => 302);
    const movedHook = await register({ url: moved.url, site: 'site-w3' });
    const id = await publish.machineUpdated('site-w3');
    await until(async () => (await deliveries(hook.webhookId))[0]?.state === 'failed', 15_000, 'failed');
    expect(await deliveries(hook.webhookId)).toMatchObject([
      { eventId: id, state: 'failed', attempts: 3, lastStatus: 500, lastError: 'HTTP 500' },
    ]);
    expect(r.received).toHaveLength(3);
    await until(async () => (await deliveries(movedHook.webhookId))[0]?.state === 'failed', 15_000, 'failed');
    expect(await deliveries(movedHook.webhookId)).toMatchObject([
      { state: 'failed', attempts: 3, lastStatus: 302 },
    ]);
  });

  it('sends only the types and the site a webhook asks for', async () => {
    const r = await receiver();
    const hook = await register({ url: r.url, types: ['io.muster.agent.*'], site: 'site-w4' });
    const control = await receiver();
    await register({ url: control.url, site: 'site-w4' });
    await publish.machineUpdated('site-w4');
    await publish.agentStatus('site-w5');
    const wanted = await publish.agentStatus('site-w4');
    // The control sees both site-w4 events: by then the filtered one had its chance.
    await until(() => control.received.length === 2, 15_000, 'the control deliveries');
    await until(() => r.received.length >= 1, 5_000, 'the filtered delivery');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(r.received.map((x) => [x.headers['ce-id'], x.headers['ce-type']])).toEqual([[wanted, STATUS]]);
    expect((await deliveries(hook.webhookId)).map((d) => d.eventId)).toEqual([wanted]);
  });

  it('stops delivering to a deleted webhook', async () => {
    const r = await receiver();
    const hook = await register({ url: r.url, site: 'site-w6' });
    const control = await receiver();
    await register({ url: control.url, site: 'site-w6' });
    expect((await operatorFetch(api, `/v1/webhooks/${hook.webhookId}`, { method: 'DELETE' })).status).toBe(
      204,
    );
    expect((await operatorFetch(api, `/v1/webhooks/${hook.webhookId}`)).status).toBe(404);
    await publish.machineUpdated('site-w6');
    await until(() => control.received.length === 1, 15_000, 'the control delivery');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(r.received).toEqual([]);
    expect((await operatorFetch(api, `/v1/webhooks/${hook.webhookId}`, { method: 'DELETE' })).status).toBe(
      404,
    );
  });

  it('with two api instances, delivers each event once per webhook', async () => {
    const second = await startApi(env.server.url, inject('servers'), schema);
    try {
      const a = await receiver();
      const b = await receiver();
      await register({ url: a.url, site: 'site-w7' });
      await register({ url: b.url, site: 'site-w7' }, second);
      const ids: string[] = [];
      for (let i = 0; i < 20; i++) ids.push(await publish.agentStatus('site-w7', `agent-${i % 3}`));
      await until(() => a.received.length >= 20 && b.received.length >= 20, 20_000, 'every delivery');
      await new Promise((resolve) => setTimeout(resolve, 500));
      for (const r of [a, b])
        expect(r.received.map((x) => String(x.headers['ce-id'])).sort()).toEqual([...ids].sort());
    } finally {
      await second.close();
    }
  });

  it('forgets finished deliveries past the retention, never pending ones', async () => {
    const r = await receiver(() => 500);
    const hook = await register({ url: r.url, site: 'site-p' });
    const id = await publish.machineUpdated('site-p');
    await until(async () => (await deliveries(hook.webhookId))[0]?.state === 'failed', 15_000, 'failed');
    const repo = api.app.get(WebhooksRepository);
    await repo.ds.query(
      `INSERT INTO webhook_delivery (delivery_id, webhook_id, event_id, event_type, body, state, next_attempt_at, created_at)
       VALUES (gen_random_uuid(), $1, 'old-pending', 't', '{}', 'pending', now() + interval '1 day', now() - interval '40 days')`,
      [hook.webhookId],
    );
    await repo.ds.query(
      `UPDATE webhook_delivery SET created_at = now() - interval '31 days' WHERE event_id = $1`,
      [id],
    );
    expect(await repo.purgeFinished(30)).toBe(1);
    expect((await deliveries(hook.webhookId)).map((d) => [d.eventId, d.state])).toEqual([
      ['old-pending', 'pending'],
    ]);
  });

  it('lists webhooks newest first with a cursor', async () => {
    const r = await receiver();
    const made = [
      await register({ url: r.url, site: 'site-l' }),
      await register({ url: r.url, site: 'site-l' }),
    ];
    const first = (await (await operatorFetch(api, '/v1/webhooks?limit=1')).json()) as {
      webhooks: { webhookId: string }[];
      next?: string;
    };
    expect(first.webhooks.map((w) => w.webhookId)).toEqual([made[1]!.webhookId]);
    const second = (await (await operatorFetch(api, `/v1/webhooks?limit=1&after=${first.next!}`)).json()) as {
      webhooks: { webhookId: string }[];
    };
    expect(second.webhooks.map((w) => w.webhookId)).toEqual([made[0]!.webhookId]);
  });

  it('refuses a URL that is not http(s), points at a non-public address, or an unknown type', async () => {
    for (const [body, name] of [
      [{ url: 'file:///etc/passwd' }, 'url'],
      [{ url: 'http://169.254.169.254/latest/meta-data' }, 'url'],
      [{ url: 'http://10.1.2.3/hook' }, 'url'],
      [{ url: 'http://[::1]:8080/hook' }, 'url'],
      [{ url: 'http://user:pw@127.0.0.1/hook' }, 'url'],
      [{ url: 'http://127.0.0.1/hook', types: ['io.muster.nothing.v1'] }, 'types'],
      [{ url: 'http://127.0.0.1/hook', site: 'a.b' }, 'site'],
    ] as const) {
      const res = await operatorFetch(api, '/v1/webhooks', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status, JSON.stringify(body)).toBe(400);
      const problem = (await res.json()) as { 'invalid-params': { name: string }[] };
      expect(problem['invalid-params'].map((p) => p.name)).toEqual([name]);
    }
  });
});
