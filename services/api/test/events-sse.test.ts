import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ownBus, until } from '@muster/messaging/testing';
import { operatorFetch, type RunningService } from '@muster/runtime/testing';
import { FleetPublisher, openEvents, startApi } from './fleet-events.fixture.js';

const MACHINE = 'io.muster.inventory.machine.updated.v1';
const STATUS = 'io.muster.agent.status.v1';

let env: Awaited<ReturnType<typeof ownBus>>;
let api: RunningService;
let publish: FleetPublisher;

beforeAll(async () => {
  env = await ownBus();
  api = await startApi(env.server.url, inject('servers'));
  publish = new FleetPublisher(env.bus);
});
afterAll(async () => {
  await api?.close();
  await env?.close();
});

/** Ephemeral (SSE) consumers on a stream: the api's webhook durables are not counted. */
async function ephemeralConsumers(stream: string): Promise<number> {
  const all = await env.bus.jsm.consumers.list(stream).next();
  return all.filter((c) => !c.config.durable_name).length;
}

describe('GET /v1/events', () => {
  it('streams events from now as CloudEvents JSON, filtered by type and site on the server', async () => {
    const session = await openEvents(api, `?types=${MACHINE}&site=site-a`);
    expect(session.status).toBe(200);
    // One consumer per stream the filter reaches (INVENTORY only), filtered by site.
    await until(async () => (await ephemeralConsumers('INVENTORY')) === 1, 5_000, 'the consumer');
    const consumers = await env.bus.jsm.consumers.list('INVENTORY').next();
    expect(consumers.find((c) => !c.config.durable_name)?.config.filter_subject).toBe(
      'muster.site.site-a.inventory.machine.*.updated.v1',
    );
    expect(await ephemeralConsumers('AGENT_TELEMETRY')).toBe(0);

    await publish.machineUpdated('site-b');
    await publish.agentStatus('site-a');
    const wanted = await publish.machineUpdated('site-a', '0b5d5c8e-7d4e-4a55-9f0e-3c5b9d7f1a11');
    const [first] = await session.waitFor(1);
    expect(first!.event).toMatchObject({
      specversion: '1.0',
      id: wanted,
      type: MACHINE,
      source: '/muster/test',
      subject: '0b5d5c8e-7d4e-4a55-9f0e-3c5b9d7f1a11',
      datacontenttype: 'application/json',
      dataschema: 'urn:muster:proto:muster.inventory.v1.MachineUpdated',
      data: {
        machineId: '0b5d5c8e-7d4e-4a55-9f0e-3c5b9d7f1a11',
        siteId: 'site-a',
        state: 'MACHINE_STATE_DISCOVERED',
      },
    });
    expect(first!.event['time']).toEqual(expect.any(String));
    expect(first!.id).toMatch(/^INVENTORY:\d+$/);
    // Nothing else arrives: a later event for the filter comes next, not the others.
    const later = await publish.machineUpdated('site-a');
    const two = await session.waitFor(2);
    expect(two.map((m) => m.event.id)).toEqual([wanted, later]);
    session.close();
    await until(
      async () => (await ephemeralConsumers('INVENTORY')) === 0,
      10_000,
      'the consumer to be deleted',
    );
  });

  it('a type prefix selects an area; without types every fleet stream is read', async () => {
    const session = await openEvents(api, `?types=io.muster.agent.*`);
    await until(async () => (await ephemeralConsumers('AGENT_TELEMETRY')) === 1, 5_000, 'the consumer');
    expect(await ephemeralConsumers('INVENTORY')).toBe(0);
    await publish.machineUpdated('site-a');
    const status = await publish.agentStatus('site-c');
    expect((await session.waitFor(1)).map((m) => m.event.type)).toEqual([STATUS]);
    expect(session.messages[0]!.event.id).toBe(status);
    session.close();
  });

  it('resumes after Last-Event-ID with exactly the later events of every stream, none twice', async () => {
    const since = new Date(Date.now() - 10).toISOString();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(await publish.machineUpdated('site-r'));
      ids.push(await publish.agentStatus('site-r', 'agent-r'));
    }
    const first = await openEvents(api, `?site=site-r&since=${encodeURIComponent(since)}`);
    const head = await first.waitFor(3);
    first.close();
    const cursor = head[2]!.id;
    // Per stream: the last sequence sent, or the replay's time for a stream that sent nothing
    // yet (ROLLOUTS holds site-scoped deployment events, so a site reaches it too).
    expect(cursor).toMatch(/^INVENTORY:t?\d+,ROLLOUTS:t\d+,AGENT_TELEMETRY:t?\d+$/);
    const more = [await publish.agentStatus('site-r', 'agent-r'), await publish.machineUpdated('site-r')];

    const resumed = await openEvents(api, '?site=site-r', { 'last-event-id': cursor });
    const rest = await resumed.waitFor(ids.length + more.length - 3);
    // Give a duplicate the chance to show up before counting.
    await new Promise((r) => setTimeout(r, 300));
    resumed.close();
    const seen = [...head, ...resumed.messages].map((m) => m.event.id);
    expect(seen.sort()).toEqual([...ids, ...more].sort());
    expect(rest.length).toBe(resumed.messages.length);

    // `?after=` is the same as the header.
    const viaQuery = await openEvents(api, `?site=site-r&after=${encodeURIComponent(cursor)}`);
    await viaQuery.waitFor(rest.length);
    viaQuery.close();
    // The same events; their interleaving across streams is not promised.
    expect(viaQuery.messages.map((m) => m.event.id).sort()).toEqual(
      resumed.messages.map((m) => m.event.id).sort(),
    );
  });

  it('replays from a time: only events stored at or after it', async () => {
    await publish.machineUpdated('site-t');
    await new Promise((r) => setTimeout(r, 50));
    const since = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 50));
    const after = [await publish.machineUpdated('site-t'), await publish.agentStatus('site-t')];
    const session = await openEvents(api, `?site=site-t&since=${encodeURIComponent(since)}`);
    await session.waitFor(2);
    await new Promise((r) => setTimeout(r, 300));
    session.close();
    expect(session.messages.map((m) => m.event.id).sort()).toEqual([...after].sort());
  });

  it('refuses an unknown type, a bad site, a bad time and an event id it never handed out, as problem+json', async () => {
    for (const [query, headers, name] of [
      ['?types=io.muster.nothing.v1', {}, 'types'],
      ['?site=a.b', {}, 'site'],
      ['?since=yesterday', {}, 'since'],
      ['', { 'last-event-id': 'INVENTORY:x' }, 'Last-Event-ID'],
      ['?after=DEADLETTER:5', {}, 'after'],
    ] as const) {
      const res = await operatorFetch(api, `/v1/events${query}`, { headers });
      expect(res.status, query).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      const body = (await res.json()) as { 'invalid-params': { name: string }[] };
      expect(body['invalid-params'].map((p) => p.name)).toEqual([name]);
    }
  });

  it('keeps an idle stream open with heartbeat comments, and refuses connections past the cap with 503', async () => {
    const small = await startApi(env.server.url, inject('servers'), undefined, {
      MUSTER_EVENTS_MAX_STREAMS: '1',
      MUSTER_EVENTS_HEARTBEAT_SECONDS: '1',
    });
    try {
      const first = await openEvents(small, '?types=io.muster.agent.*');
      expect(first.status).toBe(200);
      const second = await operatorFetch(small, '/v1/events');
      expect(second.status).toBe(503);
      expect(second.headers.get('retry-after')).toBe('5');
      expect(second.headers.get('content-type')).toMatch(/application\/problem\+json/);
      await until(() => first.comments.includes('heartbeat'), 10_000, 'a heartbeat');
      first.close();
      // The slot is given back when the client goes away.
      await until(
        async () => {
          const again = await openEvents(small, '?types=io.muster.agent.*');
          again.close();
          return again.status === 200;
        },
        10_000,
        'the slot',
      );
    } finally {
      await small.close();
    }
  });

  it('needs an operator token', async () => {
    const res = await fetch(`${api.url}/v1/events`);
    expect(res.status).toBe(401);
  });
});
