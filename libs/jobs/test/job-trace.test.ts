import { trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { InMemorySpanExporter, startTelemetry, type Telemetry } from '@muster/observability';
import { uniqueName } from '@muster/testing';

import {
  createJobEvents,
  createJobQueue,
  createJobWorker,
  defineJob,
  type RedisConnection,
} from '../src/index.js';

const connection: RedisConnection = { url: inject('servers').redis.url };
const exporter = new InMemorySpanExporter();
let telemetry: Telemetry;
beforeAll(() => {
  telemetry = startTelemetry({ serviceName: 'jobs-test', exporter, instrumentHttp: false });
});
afterAll(async () => telemetry?.shutdown());

describe('@muster/jobs trace context, through the real Redis', () => {
  it('runs the handler in a process span that is a child of the span the job was enqueued in', async () => {
    const def = defineJob({
      queue: uniqueName('traced'),
      name: 'build',
      schema: z.object({ n: z.number() }),
    });
    const queue = createJobQueue(connection, def);
    const events = createJobEvents(connection, def);
    await events.waitUntilReady();
    const seen: { traceId: string; spanId: string; payload: unknown }[] = [];
    const worker = createJobWorker(connection, def, (payload) => {
      const active = trace.getActiveSpan()?.spanContext();
      seen.push({ traceId: active?.traceId ?? '', spanId: active?.spanId ?? '', payload });
    });
    try {
      const completed = new Promise<void>((resolve) => {
        const stop = events.onCompleted(({ jobId }) => {
          if (jobId !== 'traced-1') return;
          stop();
          resolve();
        });
      });
      const origin = await trace.getTracer('test').startActiveSpan('operator request', async (span) => {
        await queue.enqueue({ n: 7 }, { jobId: 'traced-1' });
        span.end();
        return span.spanContext();
      });
      await completed;

      // The payload is the schema's alone; the context travels beside it.
      expect(seen).toHaveLength(1);
      expect(seen[0]!.payload).toEqual({ n: 7 });
      expect(seen[0]!.traceId).toBe(origin.traceId);
      await expect(queue.inspect('traced-1')).resolves.toMatchObject({ payload: { n: 7 } });

      const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === origin.traceId);
      const byName = (name: string) => spans.find((s) => s.name === name);
      const enqueue = byName(`enqueue ${def.queue}/build`);
      const processed = byName(`process ${def.queue}/build`);
      expect(enqueue?.parentSpanContext?.spanId).toBe(origin.spanId);
      expect(processed?.parentSpanContext?.spanId).toBe(enqueue?.spanContext().spanId);
      // The handler ran inside the process span.
      expect(seen[0]!.spanId).toBe(processed?.spanContext().spanId);
    } finally {
      await worker.close();
      await events.close();
      await queue.close();
    }
  });

  it('traces a job enqueued outside any span from its own enqueue span', async () => {
    const def = defineJob({
      queue: uniqueName('untraced'),
      name: 'build',
      schema: z.object({ n: z.number() }),
    });
    const queue = createJobQueue(connection, def);
    const events = createJobEvents(connection, def);
    await events.waitUntilReady();
    const traceIds: string[] = [];
    const worker = createJobWorker(connection, def, () => {
      traceIds.push(trace.getActiveSpan()?.spanContext().traceId ?? '');
    });
    try {
      const completed = new Promise<void>((resolve) => events.onCompleted(() => resolve()));
      await queue.enqueue({ n: 1 }, { jobId: 'untraced-1' });
      await completed;
      const enqueue = exporter.getFinishedSpans().find((s) => s.name === `enqueue ${def.queue}/build`);
      expect(enqueue?.parentSpanContext).toBeUndefined();
      expect(traceIds).toEqual([enqueue?.spanContext().traceId]);
    } finally {
      await worker.close();
      await events.close();
      await queue.close();
    }
  });
});
