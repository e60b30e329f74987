import { randomUUID } from 'node:crypto';
import { create, toBinary } from '@bufbuild/protobuf';
import { timestampFromDate, timestampNow } from '@bufbuild/protobuf/wkt';
import { context, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AgentStatusSchema,
  DeploymentPhase,
  contracts,
  GetMachineRequestSchema,
  GetMachineResponseSchema,
  MachineState,
  queries,
  type AgentStatus,
} from '@muster/contracts';
import { InMemorySpanExporter, startTelemetry, type Telemetry } from '@muster/observability';
import {
  DurableConsumer,
  EventPublisher,
  QUERY_ERROR_HEADER,
  QueryClient,
  QueryFailedError,
  serveQuery,
} from '../src/index.js';
import { ownBus, readSubject, until } from './bus-fixture.js';

let env: Awaited<ReturnType<typeof ownBus>>;
let telemetry: Telemetry;
const exporter = new InMemorySpanExporter();
beforeAll(async () => {
  telemetry = startTelemetry({ serviceName: 'messaging-test', exporter, instrumentHttp: false });
  env = await ownBus();
});
afterAll(async () => {
  await env?.close();
  await telemetry?.shutdown();
});

describe('trace context across the bus', () => {
  it('one trace id spans producer → bus → consumer', async () => {
    const tag = randomUUID().slice(0, 8);
    const params = { siteId: `site-${tag}`, agentId: `agent-${tag}` };
    const seenTraceIds: string[] = [];
    const consumer = await DurableConsumer.start(env.bus, {
      contract: contracts.agentStatus,
      durable: `trace-${tag}`,
      filterSubject: contracts.agentStatus.subject(params),
      handle: async () => {
        const active = trace.getActiveSpan();
        if (active) seenTraceIds.push(active.spanContext().traceId);
      },
    });
    const publisher = new EventPublisher(env.bus, '/muster/test');
    const tracer = trace.getTracer('test');
    const producerTraceId = await tracer.startActiveSpan('operator action', async (root) => {
      const message: AgentStatus = create(AgentStatusSchema, {
        agentId: params.agentId,
        seq: 1n,
        deploymentId: randomUUID(),
        phase: DeploymentPhase.DOWNLOADING,
        at: timestampNow(),
      });
      await publisher.publish(contracts.agentStatus, params, message);
      root.end();
      return root.spanContext().traceId;
    });
    await until(() => seenTraceIds.length === 1, 10_000, 'consumer');
    await consumer.stop();
    expect(seenTraceIds[0]).toBe(producerTraceId);
    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === producerTraceId);
    expect(spans.map((s) => s.name).sort()).toEqual([
      'operator action',
      'process agent.status.v1',
      'publish agent.status.v1',
    ]);
  });
});

describe('the cause of a message', () => {
  it('gives a published event the trace of its cause, not the active one', async () => {
    const tag = randomUUID().slice(0, 8);
    const params = { siteId: `site-${tag}`, agentId: `agent-${tag}` };
    const tracer = trace.getTracer('test');
    const cause = tracer.startSpan('delivery that caused it', { root: true });
    const publisher = new EventPublisher(env.bus, '/muster/test');
    const message: AgentStatus = create(AgentStatusSchema, {
      agentId: params.agentId,
      seq: 1n,
      deploymentId: randomUUID(),
      phase: DeploymentPhase.DOWNLOADING,
      at: timestampNow(),
    });
    const unrelated = await tracer.startActiveSpan('batch', { root: true }, async (span) => {
      await publisher.publish(contracts.agentStatus, params, message, {
        cause: { context: trace.setSpan(context.active(), cause) },
      });
      span.end();
      return span.spanContext().traceId;
    });
    cause.end();
    const [stored] = await readSubject(env.bus, 'AGENT_TELEMETRY', contracts.agentStatus.subject(params));
    const publish = exporter
      .getFinishedSpans()
      .find(
        (s) =>
          s.name === 'publish agent.status.v1' && s.spanContext().traceId === cause.spanContext().traceId,
      );
    expect(publish?.parentSpanContext?.spanId).toBe(cause.spanContext().spanId);
    expect(stored?.headers['traceparent']).toBe(
      `00-${cause.spanContext().traceId}-${publish?.spanContext().spanId}-01`,
    );
    expect(unrelated).not.toBe(cause.spanContext().traceId);
  });
});

describe('request/reply queries', () => {
  it('answers a valid request, and an error reply for an invalid one or a failing handler', async () => {
    const known = randomUUID();
    const failing = randomUUID();
    const discoveredAt = new Date('2026-11-02T10:00:00Z');
    const sub = serveQuery(env.bus, queries.getMachine, async (req) => {
      if (req.machineId === failing) throw new Error('database is down');
      if (req.machineId !== known) return create(GetMachineResponseSchema, { found: false });
      return create(GetMachineResponseSchema, {
        found: true,
        machine: {
          machineId: req.machineId,
          siteId: 'branch-001',
          state: MachineState.DISCOVERED,
          identity: { serial: 'CZ1234', macs: ['52:54:00:12:34:56'] },
          revision: 3n,
          discoveredAt: timestampFromDate(discoveredAt),
          updatedAt: timestampFromDate(discoveredAt),
        },
      });
    });
    const client = new QueryClient(env.bus, '/muster/test');
    const reply = await client.request(
      queries.getMachine,
      create(GetMachineRequestSchema, { machineId: known }),
    );
    // Real values, so that a reply decoded as an empty message would fail here.
    expect(reply.found).toBe(true);
    expect(reply.machine?.machineId).toBe(known);
    expect(reply.machine?.siteId).toBe('branch-001');
    expect(reply.machine?.state).toBe(MachineState.DISCOVERED);
    expect(reply.machine?.identity?.macs).toEqual(['52:54:00:12:34:56']);
    expect(reply.machine?.revision).toBe(3n);
    expect(reply.machine?.discoveredAt?.seconds).toBe(BigInt(discoveredAt.getTime() / 1000));
    const missing = await client.request(
      queries.getMachine,
      create(GetMachineRequestSchema, { machineId: randomUUID() }),
    );
    expect(missing.found).toBe(false);
    expect(missing.machine).toBeUndefined();

    const raw = toBinary(
      GetMachineRequestSchema,
      create(GetMachineRequestSchema, { machineId: 'not-a-uuid' }),
    );
    const answer = await env.bus.nc.request(queries.getMachine.subject, raw, { timeout: 5_000 });
    expect(answer.headers?.get(QUERY_ERROR_HEADER)).toMatch(/machine_id/);

    const failed = client.request(
      queries.getMachine,
      create(GetMachineRequestSchema, { machineId: failing }),
    );
    await expect(failed).rejects.toBeInstanceOf(QueryFailedError);
    await expect(failed).rejects.toThrow(/database is down/);
    sub.unsubscribe();
  });

  it('refuses to send a request that breaks the schema', async () => {
    const client = new QueryClient(env.bus, '/muster/test');
    const invalid = create(GetMachineRequestSchema, { machineId: 'x' });
    await expect(client.request(queries.getMachine, invalid)).rejects.toThrow(
      /invalid muster\.inventory\.v1\.GetMachineRequest/,
    );
  });
});
