import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ownBus, until } from '@muster/messaging/testing';
import { getFreePort } from '@muster/testing';
import { startServiceProcess, type ServiceProcess } from '../../tools/stack/service-process.js';

/** What an OTLP/HTTP collector receives, reduced to what the test asks: service, span, trace. */
interface ReceivedSpan {
  service: string;
  name: string;
  traceId: string;
}

interface OtlpJson {
  resourceSpans?: {
    resource?: { attributes?: { key: string; value: { stringValue?: string } }[] };
    scopeSpans?: { spans?: { name: string; traceId: string }[] }[];
  }[];
}

const received: ReceivedSpan[] = [];
let collector: Server;
let env: Awaited<ReturnType<typeof ownBus>>;
let logs: string;
const services: ServiceProcess[] = [];

beforeAll(async () => {
  collector = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => {
      const doc = JSON.parse(body) as OtlpJson;
      for (const rs of doc.resourceSpans ?? []) {
        const service =
          rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
        for (const ss of rs.scopeSpans ?? [])
          for (const s of ss.spans ?? []) received.push({ service, name: s.name, traceId: s.traceId });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  const collectorPort = await getFreePort();
  await new Promise<void>((resolve) => collector.listen(collectorPort, '127.0.0.1', resolve));
  env = await ownBus();
  logs = await mkdtemp(join(tmpdir(), 'muster-trace-'));
  const tag = randomUUID().replace(/-/g, '').slice(0, 10);
  for (const name of ['discovery', 'inventory'] as const) {
    services.push(
      startServiceProcess(
        name,
        await getFreePort(),
        {
          MUSTER_NATS_URL: env.server.url,
          MUSTER_NATS_NKEY_SEED: env.server.credentials.services[name].seed,
          MUSTER_DATABASE_URL: inject('servers').postgres.url,
          MUSTER_DATABASE_SCHEMA: `${name}_${tag}`,
          MUSTER_LOG_LEVEL: 'warn',
          MUSTER_OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${collectorPort}`,
        },
        logs,
      ),
    );
  }
  await Promise.all(services.map((s) => s.waitReady()));
});

afterAll(async () => {
  await Promise.all(services.map((s) => s.stop()));
  await env?.close();
  await new Promise((resolve) => collector?.close(resolve));
  if (logs) await rm(logs, { recursive: true, force: true });
});

describe('one trace across HTTP, two services and the bus', () => {
  it('continues the caller’s trace from the HTTP request through the outbox to the consumer', async () => {
    const traceId = randomBytes(16).toString('hex');
    const res = await fetch(`${services[0]!.url}/v1/discovery/reports`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
      },
      body: JSON.stringify({ macs: ['02:7e:00:00:00:01'], siteId: 'trace-site' }),
    });
    expect(res.status).toBe(201);
    const names = () => received.filter((s) => s.traceId === traceId).map((s) => `${s.service}: ${s.name}`);
    await until(
      () => names().includes('muster-inventory: process inventory.machine.discovered.v1'),
      30_000,
      'the consumer span',
    );
    expect(names()).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^muster-discovery: POST/),
        'muster-inventory: process inventory.machine.discovered.v1',
      ]),
    );
  });
});
