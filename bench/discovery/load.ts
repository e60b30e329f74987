import { Agent, request } from 'node:http';

export interface LoadResult {
  reportsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** HTTP status → count. */
  statuses: Map<number, number>;
}

/**
 * Posts every body to `url` with at most `concurrency` requests in flight over keep-alive
 * connections bound to `from` (a loopback address, so that the server sees the source it
 * decides the site by). Latency is per request, from write to the end of the response.
 */
export async function drive(
  url: string,
  bodies: readonly object[],
  options: { concurrency: number; from: string },
): Promise<LoadResult> {
  const target = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  let next = 0;

  const post = (body: object): Promise<number> =>
    new Promise((resolve, reject) => {
      const payload = JSON.stringify(body);
      const req = request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          agent,
          localAddress: options.from,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(payload);
    });

  async function lane(): Promise<void> {
    while (next < bodies.length) {
      const body = bodies[next++]!;
      const t0 = performance.now();
      const status = await post(body).catch(() => 0);
      latencies.push(performance.now() - t0);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  }

  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(options.concurrency, bodies.length) }, lane));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    reportsPerSecond: bodies.length / seconds,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    maxMs: latencies.at(-1) ?? 0,
    statuses,
  };
}
