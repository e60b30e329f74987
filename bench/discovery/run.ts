// npm run bench -- discovery: N distinct machines reporting at once (bounded concurrency)
// through the HTTP endpoint of a discovery process, beside the same with one report at a time,
// on a nats-server and a PostgreSQL started here; then checks that each is recorded once.
import 'reflect-metadata';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { timestampNow } from '@bufbuild/protobuf/wkt';
import { contracts, SiteChangedSchema, streams } from '@muster/contracts';
import { BusConnection, EventPublisher } from '@muster/messaging';
import { getFreePort, startNats, startPostgres } from '@muster/testing';
import { startServiceProcess } from '../../tools/stack/service-process.js';
import { drive, type LoadResult } from './load.js';
import { benchMachines } from './machines.js';
import { verifyRecorded } from './verify.js';

const machines = Number(process.env.BENCH_MACHINES ?? 5_000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 200);
const serialMachines = Number(process.env.BENCH_SERIAL_MACHINES ?? 1_000);
const warmup = Number(process.env.BENCH_WARMUP ?? 1_000);
const SCHEMA = 'bench_discovery';
// The server decides the site from the request's source: each run reports from its own address.
const RUNS = {
  warmup: { siteId: 'bench-warmup', from: '127.0.0.3', prefix: 1 },
  serial: { siteId: 'bench-serial', from: '127.0.0.2', prefix: 2 },
  concurrent: { siteId: 'bench-concurrent', from: '127.0.0.1', prefix: 3 },
};

const root = await mkdtemp(join(tmpdir(), 'muster-bench-discovery-'));
const nats = await startNats({ dataDir: join(root, 'nats') });
const postgres = await startPostgres({ dataDir: join(root, 'postgres') });
const discovery = startServiceProcess(
  'discovery',
  await getFreePort(),
  {
    MUSTER_NATS_URL: nats.url,
    MUSTER_DATABASE_URL: postgres.url,
    MUSTER_DATABASE_SCHEMA: SCHEMA,
    MUSTER_LOG_LEVEL: 'warn',
  },
  root,
);
try {
  await discovery.waitReady();
  const bus = await BusConnection.connect({ servers: [nats.url], name: 'bench-discovery', streams });
  // Sites are inventory's: announce each run's site as inventory would, and wait for discovery's copy.
  const inventory = new EventPublisher(bus, '/muster/inventory');
  for (const [i, run] of Object.values(RUNS).entries()) {
    const revision = BigInt(i + 1);
    const networks = [`${run.from}/32`];
    await inventory.publish(
      contracts.siteChanged,
      { siteId: run.siteId },
      create(SiteChangedSchema, {
        siteId: run.siteId,
        revision,
        site: { siteId: run.siteId, name: run.siteId, timeZone: 'UTC', networks, revision },
        changedAt: timestampNow(),
      }),
    );
    const deadline = Date.now() + 30_000;
    while (!(await fetch(`${discovery.url}/v1/discovery/site-networks/${run.siteId}`)).ok) {
      if (Date.now() > deadline) throw new Error(`discovery never took the networks of ${run.siteId}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
  );
  console.log(
    `machines: ${machines} at once (${concurrency} in flight), ${serialMachines} one at a time, ${warmup} to warm up`,
  );
  const url = `${discovery.url}/v1/discovery/reports`;
  const show = (name: string, n: number, r: LoadResult) =>
    console.log(
      `${name}: ${n} reports, ${Math.round(r.reportsPerSecond)} reports/s, p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms, max ${r.maxMs.toFixed(1)} ms, statuses ${JSON.stringify(Object.fromEntries(r.statuses))}`,
    );

  await drive(url, benchMachines(RUNS.warmup.prefix, warmup), { concurrency, from: RUNS.warmup.from });
  const serialBodies = benchMachines(RUNS.serial.prefix, serialMachines);
  const serial = await drive(url, serialBodies, { concurrency: 1, from: RUNS.serial.from });
  show('one at a time', serialMachines, serial);
  const bodies = benchMachines(RUNS.concurrent.prefix, machines);
  const concurrent = await drive(url, bodies, { concurrency, from: RUNS.concurrent.from });
  show('at once', machines, concurrent);

  const recorded = await verifyRecorded({
    databaseUrl: postgres.url,
    schema: SCHEMA,
    bus,
    siteId: RUNS.concurrent.siteId,
    serials: bodies.map((b) => (b as { serial: string }).serial),
    timeoutMs: 60_000,
  });
  console.log(`recorded: ${recorded.rows} identities, ${recorded.events} machine.discovered events`);
  await bus.close();
  console.log(
    `RESULT discovery machines=${machines} concurrency=${concurrency} reports_per_s=${Math.round(concurrent.reportsPerSecond)} p99_ms=${Math.round(concurrent.p99Ms)} serial_reports_per_s=${Math.round(serial.reportsPerSecond)} serial_p99_ms=${serial.p99Ms.toFixed(1)} lost=${recorded.lost} duplicated=${recorded.duplicated}`,
  );
} finally {
  await discovery.stop();
  await Promise.allSettled([nats.stop(), postgres.stop()]);
  await rm(root, { recursive: true, force: true });
}
