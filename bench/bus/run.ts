// npm run bench -- bus: events/s through publish → durable consume → inbox + PostgreSQL
// commit, beside the bare JetStream acknowledged-publish rate, on servers started here.
import 'reflect-metadata';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { contracts, streams } from '@muster/contracts';
import { BusConnection } from '@muster/messaging';
import { createDataSource, openDatabase, OutboxInbox1763800000000 } from '@muster/persistence';
import { startNats, startPostgres } from '@muster/testing';
import { BenchEffects1763800000900 } from './bench-schema.migration.js';
import { heartbeatPayloadBytes, measureEndToEnd } from './end-to-end.js';
import { measureJetStreamPublish } from './jetstream-publish.js';

const count = Number(process.env.BENCH_COUNT ?? 100_000);
const inFlight = Number(process.env.BENCH_IN_FLIGHT ?? 1_000);
const batchSize = Number(process.env.BENCH_BATCH ?? 500);

const root = await mkdtemp(join(tmpdir(), 'muster-bench-bus-'));
const nats = await startNats({ dataDir: join(root, 'nats') });
const postgres = await startPostgres({ dataDir: join(root, 'postgres') });
try {
  const bus = await BusConnection.connect({ servers: [nats.url], name: 'bench-bus', streams });
  const ds = await openDatabase(
    createDataSource({
      url: postgres.url,
      schema: 'bench_bus',
      applicationName: 'bench-bus',
      migrations: [OutboxInbox1763800000000, BenchEffects1763800000900],
      poolSize: 4,
    }),
  );
  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
  );
  console.log(`events: ${count}, publishes in flight: ${inFlight}, consumer batch: ${batchSize}`);

  const e2e = await measureEndToEnd(bus, ds, { count, inFlight, batchSize, timeoutMs: 300_000 });
  console.log(
    `end to end (publish → durable consume → inbox + commit): ${Math.round(e2e.eventsPerSecond)} events/s, lost ${e2e.lost}, duplicated ${e2e.duplicated}`,
  );
  const payloadBytes = heartbeatPayloadBytes(count);
  const peerSubject = contracts.agentStatus.subject({ siteId: 'bench-peer', agentId: 'bench-peer' });
  const peer = await measureJetStreamPublish(bus, peerSubject, count, payloadBytes, inFlight);
  console.log(
    `bare JetStream acknowledged publish (${payloadBytes} B, ${inFlight} in flight): ${Math.round(peer)} msgs/s`,
  );

  await ds.destroy();
  await bus.close();
  const ratio = e2e.eventsPerSecond / peer;
  console.log(
    `RESULT bus events_per_s=${Math.round(e2e.eventsPerSecond)} jetstream_publish_per_s=${Math.round(peer)} ratio=${ratio.toFixed(2)} lost=${e2e.lost} duplicated=${e2e.duplicated}`,
  );
} finally {
  await Promise.allSettled([nats.stop(), postgres.stop()]);
  await rm(root, { recursive: true, force: true });
}
