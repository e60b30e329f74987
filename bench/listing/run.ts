// npm run bench -- listing: 100,000 machines in 5,000 sites loaded into inventory's schema;
// p99 of filtered pages through inventory's HTTP API (keyset cursors, deep pages included),
// beside the peer in the same run: OFFSET/LIMIT paging over the same data, filters and sorts.
import 'reflect-metadata';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { streams } from '@muster/contracts';
import { BusConnection } from '@muster/messaging';
import { operatorFetch, testOperatorToken } from '@muster/runtime/testing';
import { getFreePort, startNats, startPostgres } from '@muster/testing';
import { startServiceProcess } from '../../tools/stack/service-process.js';
import { loadFleet } from './fleet.js';
import { scenarios, type Scenario } from './scenarios.js';

const MACHINES = Number(process.env.BENCH_MACHINES ?? 100_000);
const SITES = Number(process.env.BENCH_SITES ?? 5_000);
const LIMIT = 100;
/** Peer pages sampled per scenario (every k-th page of the walk): OFFSET pages are slow. */
const PEER_SAMPLES = Number(process.env.BENCH_PEER_SAMPLES ?? 40);
const SCHEMA = 'bench_listing';

const p99 = (xs: number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] ?? NaN;
};
const p50 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const root = await mkdtemp(join(tmpdir(), 'muster-bench-listing-'));
const nats = await startNats({ dataDir: join(root, 'nats') });
const postgres = await startPostgres({ dataDir: join(root, 'postgres') });
// Inventory waits for the agent streams agent-gateway creates: create every stream first.
const bus = await BusConnection.connect({ servers: [nats.url], name: 'bench-listing', streams });
await bus.close();
const inventory = startServiceProcess(
  'inventory',
  await getFreePort(),
  {
    MUSTER_NATS_URL: nats.url,
    MUSTER_DATABASE_URL: postgres.url,
    MUSTER_DATABASE_SCHEMA: SCHEMA,
    MUSTER_LOG_LEVEL: 'warn',
  },
  root,
);
const operator = { url: inventory.url, token: await testOperatorToken(nats.url) };
const db = new pg.Client({ connectionString: postgres.url });
try {
  await inventory.waitReady();
  await db.connect();
  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
  );
  const loadStart = performance.now();
  await loadFleet(db, SCHEMA, MACHINES, SITES);
  console.log(
    `loaded ${MACHINES} machines in ${SITES} sites in ${((performance.now() - loadStart) / 1000).toFixed(1)} s`,
  );

  const seenAfter = new Date(Date.now() - 24 * 3600_000).toISOString();
  const all = scenarios(SITES, seenAfter);
  // Warm both paths the same way: a few requests of each scenario, not measured.
  for (const s of all) {
    await operatorFetch(operator, `/v1/machines?${s.query}&limit=${LIMIT}`).then((r) => r.arrayBuffer());
    await db.query(peerSql(s, 0));
  }

  const api: number[] = [];
  const peer: number[] = [];
  for (const s of all) {
    const { times, pages } = await walk(s);
    api.push(...times);
    const every = Math.max(1, Math.ceil(pages / PEER_SAMPLES));
    const mine: number[] = [];
    for (let page = 0; page < pages; page += every) {
      const start = performance.now();
      await db.query(peerSql(s, page * LIMIT));
      mine.push(performance.now() - start);
    }
    peer.push(...mine);
    console.log(
      `${s.name.padEnd(44)} pages ${String(pages).padStart(4)}  api p50 ${p50(times).toFixed(1)} p99 ${p99(times).toFixed(1)} ms   offset p50 ${p50(mine).toFixed(1)} p99 ${p99(mine).toFixed(1)} ms (deepest ${mine.at(-1)?.toFixed(1)} ms)`,
    );
  }
  console.log(`api: ${api.length} pages; offset peer: ${peer.length} pages (database time only, no HTTP)`);
  console.log(
    `RESULT listing machines=${MACHINES} page_p99_ms=${p99(api).toFixed(1)} offset_page_p99_ms=${p99(peer).toFixed(1)}`,
  );
} finally {
  await db.end().catch(() => undefined);
  await inventory.stop();
  await Promise.allSettled([nats.stop(), postgres.stop()]);
  await rm(root, { recursive: true, force: true });
}

/** Walks a scenario's pages through the API by cursor, timing each request to the end of its body. */
async function walk(s: Scenario): Promise<{ times: number[]; pages: number }> {
  const times: number[] = [];
  let after: string | undefined;
  let pages = 0;
  while (pages < s.pages) {
    const start = performance.now();
    const res = await operatorFetch(
      operator,
      `/v1/machines?${s.query}&limit=${LIMIT}${after ? `&after=${after}` : ''}`,
    );
    const body = (await res.json()) as { machines: unknown[]; next?: string };
    times.push(performance.now() - start);
    if (res.status !== 200) throw new Error(`${s.name}: ${res.status} ${JSON.stringify(body)}`);
    pages++;
    if (!body.next) break;
    after = body.next;
  }
  return { times, pages };
}

function peerSql(s: Scenario, offset: number): string {
  return `SELECT * FROM ${SCHEMA}.machine WHERE ${s.where} ORDER BY ${s.order} LIMIT ${LIMIT} OFFSET ${offset}`;
}
