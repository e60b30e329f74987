import { request } from 'node:http';
import { connect } from 'node:net';

/** The HTTP status of a GET, or an error when nothing answers. */
export function httpStatus(
  url: string,
  headers: Record<string, string> = {},
  timeoutMs = 2_000,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', headers, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** True when a Redis server on host:port answers PING with PONG. */
export function redisPing(host: string, port: number, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d: Buffer) => {
      reply += d.toString('latin1');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
    socket.on('error', () => done(false));
  });
}
