import { randomUUID } from 'node:crypto';
import { create, fromBinary } from '@bufbuild/protobuf';
import { timestampNow } from '@bufbuild/protobuf/wkt';
import { trace } from '@opentelemetry/api';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  contracts,
  dataSchemaOf,
  headers as H,
  MachineDiscoveredSchema,
  MachineUpdatedSchema,
  type MachineDiscovered,
} from '@muster/contracts';
import { DurableConsumer, EventPublisher, type Delivery } from '@muster/messaging';
import { ownBus, readSubject, until } from '@muster/messaging/testing';
import { InMemorySpanExporter, startTelemetry, type Telemetry } from '@muster/observability';
import {
  createDataSource,
  openDatabase,
  Outbox,
  OutboxInbox1763800000000,
  OutboxRelay,
} from '@muster/persistence';
import { uniqueName } from '@muster/testing';
import { MachineEntity } from '../src/machines/machine.entity.js';
import { MachineEventsHandlers } from '../src/machines/machine-events.handlers.js';
import { MachineWriter } from '../src/machines/machine-writer.js';
import { MachinesRepository } from '../src/machines/machines.repository.js';
import { RuleAssigner } from '../src/rules/rule-assigner.js';
import { inventoryParts } from '../src/app.parts.js';

// Inventory's handler of machine.discovered, on a real batch from a real JetStream consumer,
// writing machine.updated through its real outbox and relay.

const N = 5;
const { postgres } = inject('servers');
let telemetry: Telemetry;
let env: Awaited<ReturnType<typeof ownBus>>;
let ds: DataSource;

beforeAll(async () => {
  telemetry = startTelemetry({
    serviceName: 'inventory-test',
    exporter: new InMemorySpanExporter(),
    instrumentHttp: false,
  });
  env = await ownBus();
  ds = await openDatabase(
    createDataSource({
      url: postgres.url,
      schema: uniqueName('inv'),
      applicationName: 'inventory-test',
      entities: [MachineEntity],
      migrations: [OutboxInbox1763800000000, ...inventoryParts.migrations],
      poolSize: 4,
    }),
  );
});
afterAll(async () => {
  await ds?.destroy();
  await env?.close();
  await telemetry?.shutdown();
});

const discovered = (siteId: string, n: number): MachineDiscovered =>
  create(MachineDiscoveredSchema, {
    machineId: randomUUID(),
    identity: { serial: `SN-${n}`, macs: [`52:54:00:00:00:${n.toString(16).padStart(2, '0')}`] },
    siteId,
    bootMac: `52:54:00:00:00:${n.toString(16).padStart(2, '0')}`,
    ipAddress: `10.0.0.${n + 1}`,
    discoveredAt: timestampNow(),
    hardware: {},
  });

/** `traceparent` is `00-<trace id>-<parent span id>-<flags>`. */
const parseTraceparent = (value: string | undefined): { traceId: string; spanId: string } => {
  const [, traceId = '', spanId = ''] = (value ?? '').split('-');
  return { traceId, spanId };
};

describe('inventory: machine.discovered → machine.updated', () => {
  it('gives each event of a batch the trace context of the delivery that caused it', async () => {
    const siteId = `site-${randomUUID().slice(0, 8)}`;
    const publisher = new EventPublisher(env.bus, '/muster/discovery');
    const tracer = trace.getTracer('test');

    // N discoveries, each published in a trace of its own.
    const producerTrace = new Map<string, string>();
    for (let i = 0; i < N; i++) {
      const message = discovered(siteId, i);
      await tracer.startActiveSpan(`report ${i}`, { root: true }, async (span) => {
        await publisher.publish(
          contracts.machineDiscovered,
          { siteId, machineId: message.machineId },
          message,
        );
        producerTrace.set(message.machineId, span.spanContext().traceId);
        span.end();
      });
    }
    expect(new Set(producerTrace.values()).size).toBe(N);

    const repository = new MachinesRepository(ds);
    const relay = new OutboxRelay(ds, new EventPublisher(env.bus, '/muster/inventory'));
    const outbox = new Outbox('/muster/inventory');
    const handlers = new MachineEventsHandlers(
      repository,
      outbox,
      relay,
      new RuleAssigner(new MachineWriter(outbox)),
    );

    // The first handler call waits until the consumer holds every message, so that the next
    // call gets the rest as one batch: a batch of more than one is asserted, not hoped for.
    const durable = uniqueName('inventory_trace');
    const batchSizes: number[] = [];
    const errors: string[] = [];
    const consumerSpan = new Map<string, string>();
    let release!: () => void;
    const allReceived = new Promise<void>((resolve) => (release = resolve));
    const consumer = await DurableConsumer.start(env.bus, {
      contract: contracts.machineDiscovered,
      durable,
      filterSubject: contracts.machineDiscovered.pattern({ siteId }),
      batchSize: 200,
      onError: (err, where) => errors.push(`${where}: ${String(err)}`),
      onDeadLetter: (record) => errors.push(`dead letter: ${record.reason}`),
      handle: async (deliveries: readonly Delivery<MachineDiscovered>[]) => {
        batchSizes.push(deliveries.length);
        for (const d of deliveries) {
          consumerSpan.set(d.message.machineId, trace.getSpanContext(d.context)?.spanId ?? '');
        }
        if (batchSizes.length === 1) await allReceived;
        await handlers.onDiscovered(deliveries);
      },
    });
    await until(
      async () => (await env.bus.jsm.consumers.info('INVENTORY', durable)).num_ack_pending === N,
      15_000,
      'every message delivered to the consumer',
    );
    release();
    const handled = (): number => batchSizes.reduce((a, b) => a + b, 0);
    await until(() => errors.length > 0 || handled() === N, 15_000, 'every delivery handled');
    await consumer.stop();
    expect(errors).toEqual([]);
    expect(Math.max(...batchSizes)).toBeGreaterThan(1);

    while ((await relay.relayOnce()).published > 0);
    const updated = await readSubject(env.bus, 'INVENTORY', contracts.machineUpdated.pattern({ siteId }));
    expect(updated).toHaveLength(N);
    for (const event of updated) {
      const { machineId } = fromBinary(MachineUpdatedSchema, event.data);
      const { traceId, spanId } = parseTraceparent(event.headers[H.traceparent]);
      expect(traceId, machineId).toBe(producerTrace.get(machineId));
      // The parent is the consumer span of that very delivery.
      expect(spanId, machineId).toBe(consumerSpan.get(machineId));
      expect(event.headers[H.ceDataSchema]).toBe(dataSchemaOf(MachineUpdatedSchema.typeName));
    }
    expect(new Set(updated.map((e) => parseTraceparent(e.headers[H.traceparent]).traceId)).size).toBe(N);
  });
});
