import 'reflect-metadata';

import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { Controller, Get, Inject, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ReadinessRegistry } from './health/readiness.registry.js';
import { Metrics } from './metrics/metrics.registry.js';
import { ObservabilityModule } from './observability.module.js';
import { startTelemetry, type Telemetry } from './telemetry/telemetry.bootstrap.js';

@Controller()
class WorkController {
  constructor(@Inject(Metrics) private readonly metrics: Metrics) {}

  @Get('work')
  work(): { traceId: string } {
    this.metrics.counter({ name: 'muster_work_total', help: 'work done' }).inc();
    return trace.getTracer('test').startActiveSpan('do-work', (span) => {
      span.end();
      return { traceId: span.spanContext().traceId };
    });
  }
}

@Module({ controllers: [WorkController] })
class WorkModule {}

/** Over node:http, which the instrumentation traces (global fetch is not traced). */
function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('ObservabilityModule in a Nest app', () => {
  const exporter = new InMemorySpanExporter();
  let telemetry: Telemetry;
  let app: INestApplication;
  let base: string;
  let natsUp = false;

  beforeAll(async () => {
    telemetry = startTelemetry({ serviceName: 'inventory', exporter });
    @Module({
      imports: [ObservabilityModule.forRoot({ service: 'inventory', readinessTimeoutMs: 200 }), WorkModule],
    })
    class AppModule {}
    app = await NestFactory.create(AppModule, { logger: false });
    app.get(ReadinessRegistry).register('nats', () => natsUp);
    await app.listen(0, '127.0.0.1');
    const server = app.getHttpServer() as Server;
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app?.close();
    await telemetry?.shutdown();
  });

  it('answers /healthz while the process runs', async () => {
    const res = await get(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ status: 'ok' });
  });

  it('flips /readyz from 503, naming the failing check, to 200', async () => {
    const before = await get(`${base}/readyz`);
    expect(before.status).toBe(503);
    expect(JSON.parse(before.body)).toMatchObject({ message: 'not ready', failing: ['nats'] });
    natsUp = true;
    const after = await get(`${base}/readyz`);
    expect(after.status).toBe(200);
    expect(JSON.parse(after.body)).toMatchObject({ status: 'ready', checks: [{ name: 'nats', ok: true }] });
  });

  it('serves Prometheus text with a counter the app increments', async () => {
    await get(`${base}/work`);
    await get(`${base}/work`);
    const res = await get(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.body).toContain('# TYPE muster_work_total counter');
    expect(res.body).toContain('muster_work_total{service="inventory"} 2');
    expect(res.body).toContain('nodejs_heap_size_used_bytes{service="inventory"}');
  });

  it('continues the trace of an incoming traceparent in a server span and in the handler', async () => {
    exporter.reset();
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpanId = '00f067aa0ba902b7';
    // fetch, not node:http: a traced client would replace the traceparent with its own span.
    const res = await fetch(`${base}/work`, { headers: { traceparent: `00-${traceId}-${callerSpanId}-01` } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { traceId: string }).traceId).toBe(traceId);

    await telemetry.forceFlush();
    const spans = exporter.getFinishedSpans();
    const server = spans.find((s) => s.kind === SpanKind.SERVER);
    const handler = spans.find((s) => s.name === 'do-work');
    expect(server?.spanContext().traceId).toBe(traceId);
    expect(server?.parentSpanContext?.spanId).toBe(callerSpanId);
    expect(handler?.spanContext().traceId).toBe(traceId);
    expect(handler?.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);
    expect(server?.resource.attributes['service.name']).toBe('inventory');
  });

  it('traces an outgoing node:http request and propagates its context to the server', async () => {
    exporter.reset();
    const caller = trace.getTracer('test').startSpan('caller');
    const res = await context.with(trace.setSpan(context.active(), caller), () => get(`${base}/work`));
    caller.end();
    expect(res.status).toBe(200);

    await telemetry.forceFlush();
    const spans = exporter.getFinishedSpans();
    const client = spans.find((s) => s.kind === SpanKind.CLIENT);
    const server = spans.find((s) => s.kind === SpanKind.SERVER);
    expect(client?.parentSpanContext?.spanId).toBe(caller.spanContext().spanId);
    expect(server?.spanContext().traceId).toBe(caller.spanContext().traceId);
    expect(server?.parentSpanContext?.spanId).toBe(client?.spanContext().spanId);
  });

  it('does not trace probes and scrapes', async () => {
    exporter.reset();
    await get(`${base}/healthz`);
    await get(`${base}/metrics`);
    await get(`${base}/work`);
    await telemetry.forceFlush();
    const serverSpans = exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.SERVER);
    expect(serverSpans).toHaveLength(1);
  });

  it('reports not ready once the app shuts down', async () => {
    const readiness = app.get(ReadinessRegistry);
    await app.close();
    const report = await readiness.evaluate();
    expect(report.ready).toBe(false);
    expect(report.checks.map((c) => c.name)).toContain('shutdown');
  });
});
