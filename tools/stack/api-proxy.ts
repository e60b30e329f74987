import {
  createServer,
  request,
  STATUS_CODES,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Socket } from 'node:net';
import { serviceForPath, type ServiceName } from '@muster/contracts';

/** Where each service listens. */
export type ServiceAddress = (service: ServiceName) => { host: string; port: number } | undefined;

// Hop-by-hop headers (RFC 9110 §7.6.1): for one connection, never forwarded.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

function forwardedHeaders(req: IncomingMessage, keepUpgrade: boolean): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const listed = new Set(
    String(req.headers.connection ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase()),
  );
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || listed.has(name)) continue;
    out[name] = value;
  }
  const client = req.socket.remoteAddress ?? '';
  const prior = req.headers['x-forwarded-for'];
  out['x-forwarded-for'] = prior ? `${String(prior)}, ${client}` : client;
  out['x-forwarded-proto'] = 'http';
  if (req.headers.host) out['x-forwarded-host'] = req.headers.host;
  if (keepUpgrade && req.headers.upgrade) {
    out['connection'] = 'Upgrade';
    out['upgrade'] = req.headers.upgrade;
  }
  return out;
}

function problem(res: ServerResponse, status: number, detail: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const type =
    status === 404 ? 'https://muster.dev/problems/not-found' : 'https://muster.dev/problems/unavailable';
  res.writeHead(status, { 'content-type': 'application/problem+json', 'cache-control': 'no-store' });
  res.end(JSON.stringify({ type, title: STATUS_CODES[status], status, detail }));
}

function rawProblem(socket: Socket, status: number, detail: string): void {
  const body = JSON.stringify({ title: STATUS_CODES[status], status, detail });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/problem+json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/**
 * The one base URL of the local stack: `/v1/<segment>/…` goes to the service the routing table
 * (libs/contracts http-routes) names, streamed both ways — bodies are never buffered, so
 * server-sent events flow as they are written — and WebSocket upgrades (`/v1/agent/connect`)
 * are passed through as raw sockets. A path no service owns is a 404 problem; a service that
 * does not answer, a 502 naming it.
 */
export function createApiProxy(address: ServiceAddress): Server {
  const route = (url: string | undefined) => {
    const service = serviceForPath(url ?? '/');
    return service ? { service, target: address(service) } : undefined;
  };

  const server = createServer((req, res) => {
    if (req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    const found = route(req.url);
    if (!found?.target) {
      problem(res, 404, `no service answers ${req.url?.split('?')[0] ?? ''} (routes are /v1/<segment>/…)`);
      return;
    }
    const upstream = request(
      {
        host: found.target.host,
        port: found.target.port,
        method: req.method,
        path: req.url,
        headers: forwardedHeaders(req, false),
      },
      (answer) => {
        const headers: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(answer.headers)) {
          if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
        }
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, headers);
        // Headers now, not with the first body chunk: an event stream starts at once.
        res.flushHeaders();
        answer.pipe(res);
        answer.on('error', () => res.destroy());
      },
    );
    upstream.on('error', (err) => problem(res, 502, `${found.service} did not answer: ${err.message}`));
    // The client went away: so does the request upstream (an event stream ends there too).
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  });

  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const found = route(req.url);
    if (!found?.target) {
      rawProblem(socket, 404, `no service answers ${req.url?.split('?')[0] ?? ''}`);
      return;
    }
    socket.on('error', () => undefined);
    const upstream = request({
      host: found.target.host,
      port: found.target.port,
      method: req.method,
      path: req.url,
      headers: forwardedHeaders(req, true),
    });
    upstream.on('upgrade', (answer, upstreamSocket, upstreamHead) => {
      const lines = [`HTTP/1.1 ${answer.statusCode} ${answer.statusMessage}`];
      for (let i = 0; i < answer.rawHeaders.length; i += 2) {
        lines.push(`${answer.rawHeaders[i]}: ${answer.rawHeaders[i + 1]}`);
      }
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (upstreamHead.length > 0) socket.write(upstreamHead);
      // Bytes the client sent after its request headers belong to the upgraded stream.
      if (head.length > 0) upstreamSocket.write(head);
      // Either side closing closes the other: no half-open connection is left behind.
      upstreamSocket.on('error', () => socket.destroy());
      upstreamSocket.on('close', () => socket.destroy());
      socket.on('close', () => upstreamSocket.destroy());
      socket.setNoDelay(true);
      upstreamSocket.setNoDelay(true);
      upstreamSocket.pipe(socket).pipe(upstreamSocket);
    });
    // The service refused the upgrade: its answer goes back as it is.
    upstream.on('response', (answer) => {
      const lines = [`HTTP/1.1 ${answer.statusCode} ${answer.statusMessage}`];
      for (let i = 0; i < answer.rawHeaders.length; i += 2) {
        const name = answer.rawHeaders[i]!.toLowerCase();
        if (name !== 'connection' && name !== 'transfer-encoding')
          lines.push(`${answer.rawHeaders[i]}: ${answer.rawHeaders[i + 1]}`);
      }
      lines.push('connection: close');
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
      answer.pipe(socket);
    });
    upstream.on('error', (err) => rawProblem(socket, 502, `${found.service} did not answer: ${err.message}`));
    upstream.end();
  });
  return server;
}
