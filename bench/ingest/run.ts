// npm run bench -- ingest: status events from simulated agents over their WebSockets through one
// agent-gateway process into JetStream and on into inventory's database (each machine's last
// status), every event accounted for by the checker and every machine checked; beside it, the
// same number of events published straight into JetStream from one client (the peer).
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { streams } from '@muster/contracts';
import { BusConnection } from '@muster/messaging';
import { testOperatorToken } from '@muster/runtime/testing';
import { getFreePort, startNats, startPostgres } from '@muster/testing';
import { checkDelivery, formatAccounting } from '../../test/agents/simulator/checker.js';
import { Fleet } from '../../test/agents/simulator/fleet.js';
import { loopbackSources } from '../../test/agents/simulator/source-addresses.js';
import { startServiceProcess } from '../../tools/stack/service-process.js';
import { inventoryDrained, machinesBehind } from './inventory-follow.js';
import { peerPublish } from './peer-publish.js';

const AGENTS = Number(process.env.BENCH_AGENTS ?? 2_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
// Each agent sends its next status when the last one is acknowledged, and no more often than
// this: 60 ms keeps every agent under the gateway's default 20 frames/s (no SlowDown).
const MIN_INTERVAL_MS = Number(process.env.BENCH_MIN_INTERVAL_MS ?? 60);
const SITE = 'bench-ingest';
const PEER_SITE = 'bench-ingest-peer';

const root = await mkdtemp(join(tmpdir(), 'muster-bench-ingest-'));
const nats = await startNats({ dataDir: join(root, 'nats') });
const postgres = await startPostgres({ dataDir: join(root, 'postgres') });
const bus = await BusConnection.connect({ servers: [nats.url], name: 'bench-ingest', streams });
const INVENTORY_SCHEMA = 'bench_inventory';
// The real inventory: it binds each enrolling agent to a machine and takes their statuses.
const inventory = startServiceProcess(
  'inventory',
  await getFreePort(),
  {
    MUSTER_NATS_URL: nats.url,
    MUSTER_DATABASE_URL: postgres.url,
    MUSTER_DATABASE_SCHEMA: INVENTORY_SCHEMA,
    MUSTER_LOG_LEVEL: 'warn',
  },
  root,
);
const gateway = startServiceProcess(
  'agent-gateway',
  await getFreePort(),
  {
    MUSTER_NATS_URL: nats.url,
    MUSTER_DATABASE_URL: postgres.url,
    MUSTER_DATABASE_SCHEMA: 'bench_agent_gateway',
    MUSTER_LOG_LEVEL: 'warn',
  },
  root,
);
let fleet: Fleet | undefined;
try {
  await Promise.all([inventory.waitReady(120_000), gateway.waitReady(120_000)]);
  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  const latencies: number[] = [];
  let t = performance.now();
  fleet = await Fleet.enroll({
    gateways: [gateway.url],
    siteId: SITE,
    operatorToken: await testOperatorToken(nats.url),
    count: AGENTS,
    sources: loopbackSources(4),
    run: `ingest-${Date.now()}`,
    enrollConcurrency: 32,
    // Under the gateway's default allowance of 20 frames/s (burst 100) per agent.
    flow: { ratePerSecond: 19, burst: 20, maxInFlight: 32 },
  });
  console.log(`enrolled ${AGENTS} agents in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  t = performance.now();
  await fleet.connect({ heartbeatMs: 30_000, timeoutMs: 120_000, concurrency: 100 });
  console.log(`connected in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  await Promise.all(fleet.agents.map((a) => a.facts()));

  const end = performance.now() + SECONDS * 1000;
  let acked = 0;
  const started = performance.now();
  await Promise.all(
    fleet.agents.map(async (agent) => {
      while (performance.now() < end) {
        const sentAt = performance.now();
        const outcome = await agent.status();
        const now = performance.now();
        if (outcome.outcome === 'stored' && now <= end) {
          acked++;
          latencies.push(now - sentAt);
        }
        const wait = sentAt + MIN_INTERVAL_MS - now;
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
    }),
  );
  const eventsPerSecond = acked / ((Math.min(performance.now(), end) - started) / 1000);
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
  console.log(
    `through the gateway: ${acked} status events acknowledged in ${SECONDS} s = ${Math.round(eventsPerSecond)}/s, ack p50 ${pct(0.5).toFixed(1)} ms, p99 ${pct(0.99).toFixed(1)} ms`,
  );
  await fleet.drain(120_000);
  t = performance.now();
  const result = await checkDelivery(
    bus,
    SITE,
    fleet.agents.map((a) => a.record),
  );
  console.log(`checker (${((performance.now() - t) / 1000).toFixed(1)} s): ${formatAccounting(result)}`);
  const drainedAt = await inventoryDrained(bus, 300_000);
  const statuses = fleet.agents.reduce(
    (n, a) => n + [...a.record.sent.values()].filter((k) => k === 'status').length,
    0,
  );
  const inventoryPerSecond = statuses / ((drainedAt - started) / 1000);
  const behind = await machinesBehind(
    postgres.url,
    INVENTORY_SCHEMA,
    fleet.agents.map((a) => a.record),
  );
  console.log(
    `into inventory's database: ${statuses} statuses taken ${((drainedAt - started) / 1000).toFixed(1)} s after the first = ${Math.round(inventoryPerSecond)}/s; machines without their agent's last status: ${behind}`,
  );
  await fleet.stop();
  fleet = undefined;

  const peer = await peerPublish(
    bus,
    PEER_SITE,
    Array.from({ length: AGENTS }, (_, i) => `peer-${i}`),
    result.sent,
  );
  console.log(
    `peer (raw JetStream publish, one client, 2,000 in flight): ${result.sent} events in ${peer.seconds.toFixed(1)} s = ${Math.round(peer.eventsPerSecond)}/s`,
  );
  console.log(
    `RESULT ingest events_per_s=${Math.round(eventsPerSecond)} lost=${result.lost} duplicated=${result.duplicated} peer_events_per_s=${Math.round(peer.eventsPerSecond)} agents=${AGENTS} ack_p99_ms=${Math.round(pct(0.99))} inventory_events_per_s=${Math.round(inventoryPerSecond)} inventory_behind=${behind}`,
  );
} finally {
  await fleet?.stop();
  await gateway.stop();
  await inventory.stop();
  await bus.close();
  await Promise.allSettled([nats.stop(), postgres.stop()]);
  await rm(root, { recursive: true, force: true });
}
