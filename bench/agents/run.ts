// npm run bench -- agents: how many agents one agent-gateway process holds at a 30 s heartbeat,
// their heartbeat acknowledgement p99, and the gateway's resident memory per agent; beside it, a
// bare `ws` echo server holding the same number of connections (the floor).
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { streams } from '@muster/contracts';
import { BusConnection } from '@muster/messaging';
import { testOperatorToken } from '@muster/runtime/testing';
import { getFreePort, startNats, startPostgres } from '@muster/testing';
import { startInventoryStandIn } from '../../test/agents/simulator/inventory-stand-in.fixture.js';
import { Fleet } from '../../test/agents/simulator/fleet.js';
import { loopbackSources } from '../../test/agents/simulator/source-addresses.js';
import { REPO_ROOT, startServiceProcess } from '../../tools/stack/service-process.js';
import { seedAgents, type SeededAgent } from './seed-agents.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';

// Every process here may open at most 20,000 files (`ulimit -Hn` in this container, and not
// raisable without CAP_SYS_RESOURCE): one gateway process cannot hold 20,000 sockets beside its
// own files, so the default target stays just under it. Raise BENCH_AGENTS where the limit allows.
const TARGET = Number(process.env.BENCH_AGENTS ?? 19_800);
const ENROLLED = Number(process.env.BENCH_ENROLLED ?? 200);
const HEARTBEAT_MS = Number(process.env.BENCH_HEARTBEAT_MS ?? 30_000);
const HOLD_MS = Number(process.env.BENCH_HOLD_MS ?? 75_000);
const CONNECT_CONCURRENCY = Number(process.env.BENCH_CONNECT_CONCURRENCY ?? 120);
const PEER_RAMP_PER_SECOND = 1_000;
const PER_WORKER = 9_000;
const SITE = 'bench-agents';
const SCHEMA = 'bench_agent_gateway';
const SOURCES = loopbackSources(8);

const rssKb = async (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1] ?? Number.NaN);

class Worker {
  private readonly child: ChildProcess;
  private readonly waiting: ((m: FromWorker) => void)[] = [];
  constructor() {
    this.child = fork(join(import.meta.dirname, 'sim-worker.ts'), [], {
      cwd: REPO_ROOT,
      execArgv: [
        '--max-old-space-size=4096',
        '--import',
        '@swc-node/register/esm-register',
        '--conditions=@muster/source',
      ],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (m: FromWorker) => this.waiting.shift()?.(m));
  }
  ask(m: ToWorker): Promise<FromWorker> {
    const answer = new Promise<FromWorker>((resolve) => this.waiting.push(resolve));
    this.child.send(m);
    return answer;
  }
  tell(m: ToWorker): void {
    this.child.send(m);
  }
  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

async function connectAll(workers: Worker[], messages: ToWorker[]): Promise<number> {
  const answers = await Promise.all(workers.map((w, i) => w.ask(messages[i]!)));
  for (const a of answers) if (a.type === 'failed') throw new Error(`simulator worker: ${a.error}`);
  return Math.max(...answers.map((a) => (a.type === 'connected' ? a.seconds : 0)));
}

async function reports(workers: Worker[]) {
  const all = (await Promise.all(workers.map((w) => w.ask({ type: 'report' })))).flatMap((r) =>
    r.type === 'report' ? [r] : [],
  );
  const latencies = all.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? NaN;
  return {
    beats: latencies.length,
    p50: pct(0.5),
    p99: pct(0.99),
    max: latencies.at(-1) ?? NaN,
    welcomed: all.reduce((n, r) => n + r.welcomed, 0),
    reconnects: all.reduce((n, r) => n + r.reconnects, 0),
    unacknowledged: all.reduce((n, r) => n + r.unacknowledged, 0),
  };
}

const chunks = <T>(items: T[], n: number) =>
  Array.from({ length: Math.ceil(items.length / n) }, (_, i) => items.slice(i * n, (i + 1) * n));

const root = await mkdtemp(join(tmpdir(), 'muster-bench-agents-'));
const nats = await startNats({ dataDir: join(root, 'nats') });
const postgres = await startPostgres({ dataDir: join(root, 'postgres') });
const bus = await BusConnection.connect({ servers: [nats.url], name: 'bench-agents', streams });
const binder = startInventoryStandIn(bus);
const gateway = startServiceProcess(
  'agent-gateway',
  await getFreePort(),
  {
    MUSTER_NATS_URL: nats.url,
    MUSTER_DATABASE_URL: postgres.url,
    MUSTER_DATABASE_SCHEMA: SCHEMA,
    MUSTER_LOG_LEVEL: 'warn',
    MUSTER_GATEWAY_HEARTBEAT_INTERVAL_SECONDS: String(HEARTBEAT_MS / 1000),
  },
  root,
);
const echo = startServiceProcess('ws-echo', await getFreePort(), {}, root, {
  entry: join(import.meta.dirname, 'echo-server.ts'),
});
let workers: Worker[] = [];
try {
  await Promise.all([gateway.waitReady(120_000), echo.waitReady(60_000)]);
  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log(
    `target ${TARGET} agents at a ${HEARTBEAT_MS / 1000} s heartbeat from ${SOURCES.length} source addresses, held ${HOLD_MS / 1000} s`,
  );

  // A sample enrolls over the real route (tokens, enroll, bindAgent); the rest is written in
  // the same shape into the gateway's tables (seed-agents.ts).
  let t = performance.now();
  const sample = await Fleet.enroll({
    gateways: [gateway.url],
    siteId: SITE,
    operatorToken: await testOperatorToken(nats.url),
    count: ENROLLED,
    sources: SOURCES,
    run: `agents-${Date.now()}`,
    enrollConcurrency: 16,
  });
  const enrollSeconds = (performance.now() - t) / 1000;
  console.log(
    `enrolled ${ENROLLED} over HTTP in ${enrollSeconds.toFixed(1)} s (${Math.round(ENROLLED / enrollSeconds)}/s)`,
  );
  t = performance.now();
  const seeded = await seedAgents(postgres.url, SCHEMA, SITE, TARGET - ENROLLED);
  console.log(
    `seeded ${seeded.length} more in the gateway's tables in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );
  const everyone: SeededAgent[] = [
    ...sample.agents.map((a) => ({
      agentId: a.agentId,
      machineId: a.credentials.machineId,
      siteId: a.credentials.siteId,
      credential: a.credentials.credential,
      seed: Buffer.from(a.key.seed).toString('base64'),
    })),
    ...seeded,
  ];

  const gatewayPid = gateway.child.pid!;
  const before = await rssKb(gatewayPid);
  const parts = chunks(everyone, PER_WORKER);
  workers = parts.map(() => new Worker());
  const connectSeconds = await connectAll(
    workers,
    parts.map((agents) => ({
      type: 'agents',
      gatewayUrl: gateway.url,
      agents,
      sources: SOURCES,
      heartbeatMs: HEARTBEAT_MS,
      connectConcurrency: Math.max(1, Math.round(CONNECT_CONCURRENCY / parts.length)),
    })),
  );
  console.log(`connected ${TARGET} in ${connectSeconds.toFixed(1)} s; gateway RSS ${before} kB before`);
  for (const w of workers) w.tell({ type: 'measure' });
  await new Promise((r) => setTimeout(r, HOLD_MS));
  const held = await reports(workers);
  const after = await rssKb(gatewayPid);
  const perAgent = (after - before) / TARGET;
  console.log(
    `held ${held.welcomed}/${TARGET} for ${HOLD_MS / 1000} s: ${held.beats} heartbeats acknowledged, p50 ${held.p50.toFixed(1)} ms, p99 ${held.p99.toFixed(1)} ms, max ${held.max.toFixed(0)} ms, ${held.unacknowledged} unacknowledged after 5 s, ${held.reconnects} reconnects; gateway RSS ${after} kB (${perAgent.toFixed(1)} kB per agent)`,
  );
  await Promise.all(workers.map((w) => w.ask({ type: 'stop' })));

  // The peer: the same number of bare WebSockets to an echo server.
  const echoBefore = await rssKb(echo.child.pid!);
  workers = chunks(everyone, PER_WORKER).map(() => new Worker());
  await connectAll(
    workers,
    chunks(everyone, PER_WORKER).map((part) => ({
      type: 'peer',
      url: echo.url.replace('http', 'ws'),
      count: part.length,
      sources: SOURCES,
      rampPerSecond: Math.round(PEER_RAMP_PER_SECOND / workers.length),
    })),
  );
  await new Promise((r) => setTimeout(r, 5_000));
  const echoAfter = await rssKb(echo.child.pid!);
  const peerPerAgent = (echoAfter - echoBefore) / TARGET;
  console.log(
    `peer: ws echo server held ${TARGET}: RSS ${echoBefore} → ${echoAfter} kB (${peerPerAgent.toFixed(1)} kB per connection)`,
  );
  await Promise.all(workers.map((w) => w.ask({ type: 'stop' })));
  workers = [];
  const allHeld = held.welcomed === TARGET && held.reconnects === 0 && held.unacknowledged === 0;
  console.log(
    `RESULT agents held=${allHeld ? TARGET : held.welcomed} heartbeat_p99_ms=${Math.round(held.p99)} rss_kb_per_agent=${perAgent.toFixed(1)} peer_rss_kb_per_agent=${peerPerAgent.toFixed(1)}${allHeld ? '' : ` target=${TARGET} reconnects=${held.reconnects} unacknowledged=${held.unacknowledged}`}`,
  );
} finally {
  for (const w of workers) w.kill();
  await Promise.allSettled([gateway.stop(), echo.stop()]);
  binder.stop();
  await bus.close();
  await Promise.allSettled([nats.stop(), postgres.stop()]);
  await rm(root, { recursive: true, force: true });
}
