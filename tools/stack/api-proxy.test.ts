import { once } from 'node:events';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceName } from '@muster/contracts';
import { createApiProxy } from './api-proxy.js';

const servers: Server[] = [];
const ports: Partial<Record<ServiceName, number>> = {};
let proxyUrl: string;
let releaseStream: () => void = () => undefined;
const upgraded: Socket[] = [];

async function listen(server: Server): Promise<number> {
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** A stand-in service that says who it is and echoes what it was sent. */
function fakeService(name: string): Server {
  const server = createServer((req, res) => {
    if (req.url === '/v1/events') {
      // An event stream: the first event now, the end only when the test says.
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('id: 1\ndata: {"n":1}\n\n');
      releaseStream = () => res.end('id: 2\ndata: {"n":2}\n\n');
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(201, { 'content-type': 'application/json', 'x-service': name });
      res.end(
        JSON.stringify({
          service: name,
          method: req.method,
          url: req.url,
          body: Buffer.concat(chunks).toString('utf8'),
          forwardedFor: req.headers['x-forwarded-for'],
          authorization: req.headers['authorization'],
          connection: req.headers['connection'],
        }),
      );
    });
  });
  server.on('upgrade', (_req: IncomingMessage, socket: Socket) => {
    upgraded.push(socket);
    socket.on('end', () => socket.end());
    socket.write('HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\n\r\n');
    // Echoes every byte, prefixed with the service's name.
    socket.on('data', (d: Buffer) => socket.write(`${name}:${d.toString('utf8')}`));
  });
  return server;
}

beforeAll(async () => {
  ports.inventory = await listen(fakeService('inventory'));
  ports['agent-gateway'] = await listen(fakeService('agent-gateway'));
  ports.api = await listen(fakeService('api'));
  // scheduler: a port where nothing listens.
  const closed = createServer();
  ports.scheduler = await listen(closed);
  await new Promise((r) => closed.close(r));
  servers.splice(servers.indexOf(closed), 1);
  const proxy = createApiProxy((service) => {
    const port = ports[service];
    return port === undefined ? undefined : { host: '127.0.0.1', port };
  });
  proxyUrl = `http://127.0.0.1:${await listen(proxy)}`;
});
afterAll(async () => {
  releaseStream();
  for (const s of upgraded) s.destroy();
  for (const s of servers) s.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

describe('the base URL proxy', () => {
  it('sends each /v1/<segment> to the service the routing table names, with method, path, query and body', async () => {
    const res = await fetch(`${proxyUrl}/v1/machines/m-1/assign?x=1&y=2`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer mst_x',
        'content-type': 'application/json',
        connection: 'keep-alive',
      },
      body: '{"siteId":"s"}',
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-service')).toBe('inventory');
    expect(await res.json()).toMatchObject({
      service: 'inventory',
      method: 'POST',
      url: '/v1/machines/m-1/assign?x=1&y=2',
      body: '{"siteId":"s"}',
      forwardedFor: '127.0.0.1',
      authorization: 'Bearer mst_x',
    });
    expect(
      ((await (await fetch(`${proxyUrl}/v1/bootstrap-tokens`)).json()) as { service: string }).service,
    ).toBe('agent-gateway');
    expect(((await (await fetch(`${proxyUrl}/v1/openapi.json`)).json()) as { service: string }).service).toBe(
      'api',
    );
  });

  it('answers a path no service owns with a 404 problem, and a service that is down with a 502 naming it', async () => {
    const unknown = await fetch(`${proxyUrl}/v1/nothing-here`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toBe('application/problem+json');
    expect(((await unknown.json()) as { detail: string }).detail).toContain('/v1/nothing-here');
    const down = await fetch(`${proxyUrl}/v1/rollouts`);
    expect(down.status).toBe(502);
    expect(((await down.json()) as { detail: string }).detail).toMatch(/^scheduler did not answer/);
  });

  it('streams server-sent events as they are written, without waiting for the end', async () => {
    const res = await fetch(`${proxyUrl}/v1/events`);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toBe('id: 1\ndata: {"n":1}\n\n');
    releaseStream();
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      rest += new TextDecoder().decode(chunk.value);
    }
    expect(rest).toBe('id: 2\ndata: {"n":2}\n\n');
  });

  it('passes a WebSocket upgrade on /v1/agent/connect through to agent-gateway, both ways', async () => {
    const req = request(`${proxyUrl}/v1/agent/connect`, {
      headers: { connection: 'Upgrade', upgrade: 'websocket' },
    });
    req.end();
    const [res, socket] = (await once(req, 'upgrade')) as [IncomingMessage, Socket];
    expect(res.statusCode).toBe(101);
    socket.write('hello');
    const [echo] = (await once(socket, 'data')) as [Buffer];
    expect(echo.toString('utf8')).toBe('agent-gateway:hello');
    const closedUpstream = once(upgraded.at(-1)!, 'close');
    socket.destroy();
    // …and the service's end of it closes too.
    await closedUpstream;
  });
});
