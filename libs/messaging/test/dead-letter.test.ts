import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contracts, deadLetter, streams } from '@muster/contracts';
import { ensureDurableConsumer, ensureStreams, EventPublisher, PermanentFailureError } from '../src/index.js';
import { crashLoopLimit } from '../src/internal/batch-processor.js';
import { ownBus, until } from './bus-fixture.js';
import { consumerState, deadLetters, heartbeat, scope, startConsumer } from './consumer-fixture.js';

let env: Awaited<ReturnType<typeof ownBus>>;
let publisher: EventPublisher;
beforeAll(async () => {
  env = await ownBus();
  publisher = new EventPublisher(env.bus, '/muster/test');
});
afterAll(async () => env?.close());

describe('dead letter', () => {
  it('delivers a poison message exactly maxAttempts times, dead-letters it once, and the server never redelivers it', async () => {
    const s = scope();
    const attempts = new Map<bigint, number>();
    const consumer = await startConsumer(env.bus, s, {
      maxAttempts: 3,
      retryDelaysMs: [50],
      // Short, so that a +TERM the server ignored would show as a redelivery within the test.
      ackWaitMs: 1_000,
      handle: async ([d]) => {
        const seq = d!.message.seq;
        attempts.set(seq, (attempts.get(seq) ?? 0) + 1);
        if (seq === 1n) throw new Error('database says no');
      },
    });
    const poison = await publisher.publish(contracts.agentStatus, s, heartbeat(s.agentId, 1));
    await until(async () => (await deadLetters(env.bus, s.durable)).length === 1, 10_000, 'dead letter');
    // Terminated on the server: acked past it, nothing waiting for an ack or a redelivery.
    await until(
      async () => {
        const state = await consumerState(env.bus, s.durable);
        return state.ackFloor >= poison.seq && state.ackPending === 0 && state.pending === 0;
      },
      10_000,
      'the server to count the poison message as done',
    );
    // Acked past on the server, so never redelivered: the next message is the only one handled.
    await publisher.publish(contracts.agentStatus, s, heartbeat(s.agentId, 2));
    await until(() => attempts.get(2n) === 1, 10_000, 'the next message');
    await consumer.stop();
    expect(attempts.get(1n)).toBe(3);
    const [record] = await deadLetters(env.bus, s.durable);
    expect(record!.reason).toBe('handler failed on attempt 3/3: database says no');
    expect(record!.subject).toBe(s.filterSubject);
    expect(record!.originalSequence).toBe(poison.seq);
    expect(await deadLetters(env.bus, s.durable)).toHaveLength(1);
  });

  it('dead-letters, without running its handler, a message delivered far past its budget and never settled (a crash loop)', async () => {
    const s = scope();
    const published = await publisher.publish(contracts.agentStatus, s, heartbeat(s.agentId, 1));
    const stream = contracts.agentStatus.stream;
    await ensureDurableConsumer(env.bus.jsm, {
      stream,
      durable: s.durable,
      filterSubject: s.filterSubject,
      ackWaitMs: 30_000,
      maxAckPending: 100,
    });
    // Consumers that died holding it: each took it and never settled it (nak stands in for the
    // ack wait running out).
    const limit = crashLoopLimit(1);
    const raw = await env.bus.js.consumers.get(stream, s.durable);
    for (let delivered = 0; delivered <= limit;) {
      const batch = await raw.fetch({ max_messages: 1, expires: 2_000 });
      for await (const m of batch) {
        delivered = m.info.deliveryCount;
        m.nak();
      }
    }
    let handled = 0;
    const consumer = await startConsumer(env.bus, s, {
      maxAttempts: 1,
      handle: async () => void handled++,
    });
    await until(async () => (await deadLetters(env.bus, s.durable)).length === 1, 10_000, 'dead letter');
    await consumer.stop();
    expect(handled).toBe(0);
    const [record] = await deadLetters(env.bus, s.durable);
    expect(record!.originalSequence).toBe(published.seq);
    expect(record!.reason).toMatch(
      new RegExp(`^delivered ${limit + 2} times without being settled \\(limit ${limit}\\)`),
    );
  });

  it('dead-letters at once on a permanent failure', async () => {
    const s = scope();
    let attempts = 0;
    const consumer = await startConsumer(env.bus, s, {
      handle: async () => {
        attempts++;
        throw new PermanentFailureError('unknown agent');
      },
    });
    await publisher.publish(contracts.agentStatus, s, heartbeat(s.agentId, 1));
    await until(async () => (await deadLetters(env.bus, s.durable)).length === 1, 10_000, 'dead letter');
    await consumer.stop();
    expect(attempts).toBe(1);
    expect((await deadLetters(env.bus, s.durable))[0]!.reason).toMatch(/attempt 1\/10: unknown agent/);
  });

  it('keeps a message whose dead-letter publish fails, and dead-letters it once publishing works again', async () => {
    const s = scope();
    let attempts = 0;
    const publishFailures: string[] = [];
    // No DEADLETTER stream: a publish to its subjects gets no acknowledgement.
    await env.bus.jsm.streams.delete(deadLetter.stream);
    const consumer = await startConsumer(env.bus, s, {
      maxAttempts: 2,
      retryDelaysMs: [50],
      handle: async () => {
        attempts++;
        throw new Error('always fails');
      },
      onError: (_err, where) => {
        if (where.startsWith('dead-letter publish failed')) publishFailures.push(where);
      },
    });
    const published = await publisher.publish(contracts.agentStatus, s, heartbeat(s.agentId, 1));
    // The message keeps coming back: the server has not dropped it.
    await until(() => publishFailures.length >= 3, 10_000, 'repeated dead-letter publish failures');
    const state = await consumerState(env.bus, s.durable);
    expect(state.ackFloor).toBeLessThan(published.seq);

    await ensureStreams(env.bus.jsm, streams);
    await until(async () => (await deadLetters(env.bus, s.durable)).length === 1, 10_000, 'dead letter');
    await until(
      async () => (await consumerState(env.bus, s.durable)).ackFloor >= published.seq,
      10_000,
      'the message terminated',
    );
    await consumer.stop();
    // The handler ran maxAttempts times; the redeliveries only retried the dead-letter publish.
    expect(attempts).toBe(2);
    const [record] = await deadLetters(env.bus, s.durable);
    expect(record!.originalSequence).toBe(published.seq);
    expect(record!.reason).toBe('handler failed on attempt 2/2: always fails');
  });
});
