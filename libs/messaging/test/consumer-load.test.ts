import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contracts } from '@muster/contracts';
import { DependencyUnavailableError, EventPublisher, type OutageEvent } from '../src/index.js';
import { ownBus, until } from './bus-fixture.js';
import { consumerState, deadLetters, heartbeat, scope, startConsumer } from './consumer-fixture.js';

let env: Awaited<ReturnType<typeof ownBus>>;
let publisher: EventPublisher;
beforeAll(async () => {
  env = await ownBus();
  publisher = new EventPublisher(env.bus, '/muster/test');
});
afterAll(async () => env?.close());

const publishMany = (s: ReturnType<typeof scope>, count: number) =>
  Promise.all(
    Array.from({ length: count }, (_, i) =>
      publisher.publish(contracts.agentStatus, s, heartbeat(s.agentId, i + 1)),
    ),
  );

describe('back-pressure', () => {
  it('holds at most maxInFlight messages and keeps them alive behind a handler slower than the ack wait: each is delivered once', async () => {
    const s = scope();
    const ackWaitMs = 1_000;
    const deliveries = new Map<bigint, number[]>();
    const ackPending: number[] = [];
    await publishMany(s, 20);
    const consumer = await startConsumer(env.bus, s, {
      batchSize: 5,
      maxInFlight: 10,
      ackWaitMs,
      handle: async (ds) => {
        ackPending.push((await consumerState(env.bus, s.durable)).ackPending);
        // Every call outlasts the ack wait; the messages behind it wait two or three of them.
        await new Promise((r) => setTimeout(r, ackWaitMs * 1.5));
        for (const d of ds) {
          deliveries.set(d.message.seq, [...(deliveries.get(d.message.seq) ?? []), d.deliveryCount]);
        }
      },
    });
    await until(() => deliveries.size === 20, 60_000, 'all 20 handled');
    await until(async () => (await consumerState(env.bus, s.durable)).ackPending === 0, 10_000, 'all acked');
    await consumer.stop();
    expect([...deliveries.values()].every((counts) => counts.length === 1 && counts[0] === 1)).toBe(true);
    expect(Math.max(...ackPending)).toBeLessThanOrEqual(10);
    expect(Math.max(...ackPending)).toBeGreaterThan(5);
  });
});

describe('dependency outages', () => {
  it('holds messages while a dependency probe fails, spends no attempt, and applies each once when it answers', async () => {
    const s = scope();
    let up = true;
    let failures = 0;
    let probes = 0;
    const applied = new Map<bigint, number[]>();
    const outages: OutageEvent[] = [];
    const consumer = await startConsumer(env.bus, s, {
      batchSize: 10,
      maxAttempts: 2,
      retryDelaysMs: [20],
      outageBackoffMs: [20],
      dependencies: [{ name: 'ledger', check: async () => (probes++, up) }],
      onOutage: (e) => outages.push(e),
      handle: async (ds) => {
        if (!up) {
          failures++;
          throw new Error('socket hang up');
        }
        for (const d of ds) {
          applied.set(d.message.seq, [...(applied.get(d.message.seq) ?? []), d.deliveryCount]);
        }
      },
    });
    up = false;
    const published = await publishMany(s, 5);
    // The outage lasts many times the retry budget (2 attempts 20 ms apart), and yet nothing is
    // dead-lettered or naked: the handler failed once, then the consumer polled the probe.
    await until(() => probes >= 20, 20_000, 'probes polled during the outage');
    expect(failures).toBe(1);
    expect(await deadLetters(env.bus, s.durable)).toEqual([]);
    const during = await consumerState(env.bus, s.durable);
    expect(during.ackPending).toBe(5);
    expect(during.ackFloor).toBeLessThan(Math.min(...published.map((p) => p.seq)));
    up = true;
    await until(() => applied.size === 5, 20_000, 'all applied after the outage');
    await consumer.stop();
    expect([...applied.values()].every((counts) => counts.length === 1 && counts[0] === 1)).toBe(true);
    expect(await deadLetters(env.bus, s.durable)).toEqual([]);
    expect(outages.map((o) => [o.phase, o.reason])).toEqual([
      ['start', 'ledger unavailable'],
      ['end', 'ledger unavailable'],
    ]);
  });

  it('treats DependencyUnavailableError as an outage even when no probe covers it', async () => {
    const s = scope();
    let calls = 0;
    const counts: number[] = [];
    const consumer = await startConsumer(env.bus, s, {
      maxAttempts: 2,
      retryDelaysMs: [20],
      outageBackoffMs: [20],
      handle: async ([d]) => {
        calls++;
        if (calls <= 5) throw new DependencyUnavailableError('inventory', 'query timed out');
        counts.push(d!.deliveryCount);
      },
    });
    await publisher.publish(contracts.agentStatus, s, heartbeat(s.agentId, 1));
    await until(() => counts.length === 1, 20_000, 'success after five outage failures');
    await consumer.stop();
    expect(calls).toBe(6);
    expect(counts).toEqual([1]);
    expect(await deadLetters(env.bus, s.durable)).toEqual([]);
  });
});
