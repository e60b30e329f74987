import { randomUUID } from 'node:crypto';
import { create, toBinary } from '@bufbuild/protobuf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentStatusSchema, contracts, MachineDiscoveredSchema, type AgentStatus } from '@muster/contracts';
import { EventPublisher, envelopeHeaders, type Delivery } from '../src/index.js';
import { toMsgHdrs } from '../src/event-envelope.js';
import { ownBus, until } from './bus-fixture.js';
import {
  deadLetters as deadLettersOn,
  heartbeat,
  scope,
  startConsumer as startOn,
  type Scope,
  type TestConsumerOptions,
} from './consumer-fixture.js';

let env: Awaited<ReturnType<typeof ownBus>>;
let publisher: EventPublisher;
beforeAll(async () => {
  env = await ownBus();
  publisher = new EventPublisher(env.bus, '/muster/test');
});
afterAll(async () => env?.close());

const startConsumer = (s: Scope, options: TestConsumerOptions) => startOn(env.bus, s, options);
const deadLetters = (durable: string) => deadLettersOn(env.bus, durable);

describe('DurableConsumer against a real nats-server', () => {
  it('delivers a published event with its CloudEvents attributes, once', async () => {
    const s = scope();
    const got: Delivery<AgentStatus>[] = [];
    const consumer = await startConsumer(s, {
      handle: async (ds) => void got.push(...ds),
    });
    const id = randomUUID();
    await publisher.publish(contracts.agentStatus, s, heartbeat(s.agentId, 7), { id, about: s.agentId });
    await until(() => got.length === 1, 10_000, 'delivery');
    await consumer.stop();
    const d = got[0]!;
    expect(d.message.seq).toBe(7n);
    expect(d.meta).toMatchObject({
      id,
      type: 'io.muster.agent.status.v1',
      source: '/muster/test',
      subject: s.agentId,
      dataschema: 'urn:muster:proto:muster.agent.v1.AgentStatus',
    });
    expect(d.subject).toBe(s.filterSubject);
    expect(d.deliveryCount).toBe(1);
  });

  it('stores an event published twice with the same id once', async () => {
    const s = scope();
    const id = randomUUID();
    const first = await publisher.publish(contracts.agentStatus, s, heartbeat(s.agentId, 1), { id });
    const second = await publisher.publish(contracts.agentStatus, s, heartbeat(s.agentId, 1), { id });
    expect(first.duplicate).toBe(false);
    expect(second.duplicate).toBe(true);
    expect(second.seq).toBe(first.seq);
  });

  it('dead-letters invalid messages with the reason and carries on', async () => {
    const s = scope();
    const got: Delivery<AgentStatus>[] = [];
    const consumer = await startConsumer(s, {
      handle: async (ds) => void got.push(...ds),
    });
    const ce = (type = contracts.agentStatus.type, dataschema?: string) =>
      toMsgHdrs(
        envelopeHeaders({
          id: randomUUID(),
          type,
          source: '/muster/test',
          time: new Date().toISOString(),
          ...(dataschema ? { dataschema } : {}),
        }),
      );
    const garbage = new Uint8Array([0xff, 0xff, 0xff, 0x0f, 0x01]);
    await env.bus.js.publish(s.filterSubject, garbage, { headers: ce() });
    // Decodes, but breaks the schema's rule: seq must be > 0.
    const zeroSeq = toBinary(
      AgentStatusSchema,
      create(AgentStatusSchema, { ...heartbeat(s.agentId, 1), seq: 0n }),
    );
    await env.bus.js.publish(s.filterSubject, zeroSeq, { headers: ce() });
    await env.bus.js.publish(s.filterSubject, toBinary(AgentStatusSchema, heartbeat(s.agentId, 2)));
    const wrongType = toBinary(MachineDiscoveredSchema, create(MachineDiscoveredSchema, {}));
    await env.bus.js.publish(s.filterSubject, wrongType, { headers: ce(contracts.machineDiscovered.type) });
    // The right type, but a dataschema naming another message.
    const valid = toBinary(AgentStatusSchema, heartbeat(s.agentId, 4));
    await env.bus.js.publish(s.filterSubject, valid, {
      headers: ce(contracts.agentStatus.type, 'urn:muster:proto:muster.inventory.v1.MachineDiscovered'),
    });
    // No dataschema at all (a producer from before it was sent) is still taken.
    await env.bus.js.publish(s.filterSubject, toBinary(AgentStatusSchema, heartbeat(s.agentId, 5)), {
      headers: ce(),
    });
    await publisher.publish(contracts.agentStatus, s, heartbeat(s.agentId, 3));

    await until(() => got.length === 2, 10_000, 'the valid messages');
    await until(async () => (await deadLetters(s.durable)).length === 5, 10_000, 'five dead letters');
    await consumer.stop();
    expect(got.map((d) => d.message.seq)).toEqual([5n, 3n]);
    const reasons = (await deadLetters(s.durable)).map((d) => d.reason);
    expect(reasons[0]).toMatch(/does not decode/);
    expect(reasons[1]).toMatch(/seq/);
    expect(reasons[2]).toMatch(/missing CloudEvents headers/);
    expect(reasons[3]).toMatch(/does not match io\.muster\.agent\.status\.v1/);
    expect(reasons[4]).toBe(
      'dataschema urn:muster:proto:muster.inventory.v1.MachineDiscovered does not match ' +
        'urn:muster:proto:muster.agent.v1.AgentStatus of io.muster.agent.status.v1',
    );
    const [first] = await deadLetters(s.durable);
    expect(first!.subject).toBe(s.filterSubject);
    expect([...first!.body]).toEqual([...garbage]);
  });

  it('hands over batches and retries a failed batch one by one, so one bad message holds back no other', async () => {
    const s = scope();
    const applied = new Map<bigint, number>();
    const sizes: number[] = [];
    let cursedBatch = 0;
    // Published before the consumer starts, so that its first pull finds all 40 waiting.
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        publisher.publish(contracts.agentStatus, s, heartbeat(s.agentId, i + 1)),
      ),
    );
    const consumer = await startConsumer(s, {
      batchSize: 50,
      maxAttempts: 2,
      retryDelaysMs: [20],
      handle: async (ds) => {
        sizes.push(ds.length);
        if (ds.some((d) => d.message.seq === 13n)) {
          cursedBatch = Math.max(cursedBatch, ds.length);
          throw new Error('seq 13 is cursed');
        }
        for (const d of ds) applied.set(d.message.seq, (applied.get(d.message.seq) ?? 0) + 1);
      },
    });
    await until(() => applied.size === 39, 15_000, '39 applied');
    await until(
      async () => (await deadLetters(s.durable)).length === 1,
      10_000,
      'the cursed one dead-lettered',
    );
    await consumer.stop();
    expect(applied.has(13n)).toBe(false);
    expect([...applied.values()].every((n) => n === 1)).toBe(true);
    // Real batches: a handler call got more than one message, the cursed one among others.
    expect(Math.max(...sizes)).toBeGreaterThan(1);
    expect(cursedBatch).toBeGreaterThan(1);
  });

  it('attaches again when its durable consumer disappears under it, and goes on consuming', async () => {
    const s = scope();
    const seqs: bigint[] = [];
    const consumer = await startConsumer(s, {
      handle: async (ds) => void seqs.push(...ds.map((d) => d.message.seq)),
    });
    await publisher.publish(contracts.agentStatus, s, heartbeat(s.agentId, 1));
    await until(() => seqs.length === 1, 10_000, 'first delivery');
    await env.bus.jsm.consumers.delete(contracts.agentStatus.stream, s.durable);
    await publisher.publish(contracts.agentStatus, s, heartbeat(s.agentId, 2));
    await until(() => seqs.includes(2n), 20_000, 'delivery after the consumer was recreated');
    await consumer.stop();
    // A recreated durable starts from the beginning of the stream: the inbox makes that harmless.
    expect(seqs[0]).toBe(1n);
    expect(seqs.filter((q) => q === 2n)).toHaveLength(1);
  });
});
