import { createServer, get, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';

import { startTelemetry, type Telemetry } from './telemetry.bootstrap.js';

async function listen(
  handler: (req: IncomingMessage, body: string) => void,
): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      handler(req, body);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function request(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    }).on('error', reject);
  });
}

describe('startTelemetry', () => {
  let telemetry: Telemetry | undefined;
  const servers: Server[] = [];
  afterEach(async () => {
    await telemetry?.shutdown();
    for (const s of servers.splice(0)) await new Promise((resolve) => s.close(resolve));
  });

  it('refuses a second start until the first is shut down, then traces again', async () => {
    const first = new InMemorySpanExporter();
    telemetry = startTelemetry({ serviceName: 'a', exporter: first });
    expect(() => startTelemetry({ serviceName: 'b' })).toThrow(/already started/);
    await telemetry.shutdown();

    const second = new InMemorySpanExporter();
    telemetry = startTelemetry({ serviceName: 'b', exporter: second });
    const { server, url } = await listen(() => undefined);
    servers.push(server);
    expect(await request(`${url}/things`)).toBe(200);
    await telemetry.forceFlush();
    expect(second.getFinishedSpans().filter((s) => s.kind === SpanKind.SERVER)).toHaveLength(1);
    expect(first.getFinishedSpans()).toHaveLength(0);
  });

  it('refuses to start over another SDK and leaves that SDK registered', () => {
    const other = new TracerProvider();
    trace.setGlobalTracerProvider(other);
    try {
      expect(() => startTelemetry({ serviceName: 'a', instrumentHttp: false })).toThrow(
        /another OpenTelemetry SDK/,
      );
      expect(trace.getTracerProvider()).not.toBeInstanceOf(TracerProvider);
      expect((trace.getTracerProvider() as unknown as { getDelegate(): unknown }).getDelegate()).toBe(other);
    } finally {
      trace.disable();
    }
  });

  it('stops tracing HTTP after shutdown', async () => {
    const exporter = new InMemorySpanExporter();
    telemetry = startTelemetry({ serviceName: 'a', exporter });
    await telemetry.shutdown();
    const { server, url } = await listen(() => undefined);
    servers.push(server);
    expect(await request(`${url}/x`)).toBe(200);
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });

  it('exports over OTLP/HTTP to <endpoint>/v1/traces', async () => {
    const received: { path: string | undefined; body: string }[] = [];
    const { server, url } = await listen((req, body) => received.push({ path: req.url, body }));
    servers.push(server);
    telemetry = startTelemetry({ serviceName: 'exporting', otlpEndpoint: `${url}/`, instrumentHttp: false });
    trace.getTracer('test').startSpan('exported-span').end();
    await telemetry.forceFlush();
    expect(received).toHaveLength(1);
    expect(received[0]?.path).toBe('/v1/traces');
    expect(received[0]?.body).toContain('exported-span');
    expect(received[0]?.body).toContain('exporting');
  });
});
