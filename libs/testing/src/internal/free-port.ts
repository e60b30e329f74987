import { createServer, type Server } from 'node:net';

function listen(host: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => resolve(server));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

function portOf(server: Server): number {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('listening socket has no port');
  return address.port;
}

/**
 * `count` distinct free TCP ports on `host`, picked by the kernel (bind to port 0). All sockets
 * stay open until every port is picked, so the same port is never handed out twice in one call.
 */
export async function getFreePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  if (!Number.isInteger(count) || count < 1)
    throw new RangeError(`count must be a positive integer, got ${count}`);
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) servers.push(await listen(host, 0));
    return servers.map(portOf);
  } finally {
    await Promise.all(servers.map(close));
  }
}

export async function getFreePort(host = '127.0.0.1'): Promise<number> {
  const [port] = await getFreePorts(1, host);
  if (port === undefined) throw new Error('no free port');
  return port;
}

/** True when nothing listens on host:port right now. */
export async function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  try {
    await close(await listen(host, port));
    return true;
  } catch {
    return false;
  }
}
