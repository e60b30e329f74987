import { randomUUID } from 'node:crypto';
import { create, toBinary } from '@bufbuild/protobuf';
import { timestampNow } from '@bufbuild/protobuf/wkt';
import type { DataSource } from 'typeorm';
import { AgentStatusSchema, contracts, DeploymentPhase, type AgentStatus } from '@muster/contracts';
import { DurableConsumer, EventPublisher, type BusConnection, type Delivery } from '@muster/messaging';
import { applyOnce } from '@muster/persistence';

export interface EndToEndResult {
  eventsPerSecond: number;
  lost: number;
  duplicated: number;
}

const SITES = 16;
const BENCH_MACHINE_ID = '6f1c9a52-3b7e-4d0a-9c55-1f2e3d4c5b6a';
const AGENTS_PER_SITE = 64;

/**
 * Publishes `count` agent heartbeats through the real path (encode + protovalidate,
 * CloudEvents headers, JetStream with msg id) and consumes them with a durable consumer that
 * claims each id in the inbox and writes its effect in the same PostgreSQL transaction.
 * The clock stops when the last effect is committed.
 */
export async function measureEndToEnd(
  bus: BusConnection,
  ds: DataSource,
  options: { count: number; inFlight: number; batchSize: number; timeoutMs: number },
): Promise<EndToEndResult> {
  const durable = `bench-${randomUUID().slice(0, 8)}`;
  let applied = 0;
  let resolveDone: () => void = () => {};
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  const consumer = await DurableConsumer.start(bus, {
    contract: contracts.agentStatus,
    durable,
    batchSize: options.batchSize,
    maxAckPending: options.batchSize * 8,
    handle: async (deliveries: readonly Delivery<AgentStatus>[]) => {
      applied += await applyOnce(ds, durable, deliveries, async (manager, fresh) => {
        await manager.query(
          'INSERT INTO bench_effect (event_id, agent_id, seq) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])',
          [
            fresh.map((d) => d.meta.id),
            fresh.map((d) => d.message.agentId),
            fresh.map((d) => d.message.seq.toString()),
          ],
        );
      });
      if (applied >= options.count) resolveDone();
    },
  });
  const publisher = new EventPublisher(bus, '/muster/bench');
  const started = performance.now();
  let next = 0;
  async function lane(): Promise<void> {
    while (next < options.count) {
      const i = next++;
      const { params, heartbeat } = benchHeartbeat(i);
      await publisher.publish(contracts.agentStatus, params, heartbeat, {
        id: `hb-${durable}-${i}`,
      });
    }
  }
  await Promise.all(Array.from({ length: options.inFlight }, lane));
  const timeout = new Promise<'timeout'>((resolve) =>
    setTimeout(() => resolve('timeout'), options.timeoutMs).unref(),
  );
  await Promise.race([done, timeout]);
  const elapsed = (performance.now() - started) / 1000;
  await consumer.stop();
  const [row] = await ds.query<{ effects: number; distinct_ids: number }[]>(
    'SELECT count(*)::int AS effects, count(DISTINCT event_id)::int AS distinct_ids FROM bench_effect',
  );
  const effects = row?.effects ?? 0;
  const distinct = row?.distinct_ids ?? 0;
  return {
    eventsPerSecond: distinct / elapsed,
    lost: options.count - distinct,
    duplicated: effects - distinct,
  };
}

/** The i-th status event of a run: 16 sites × 64 agents, each agent's seq rising. */
function benchHeartbeat(i: number): {
  params: { siteId: string; agentId: string };
  heartbeat: AgentStatus;
} {
  const params = { siteId: `site-${i % SITES}`, agentId: `agent-${(i >> 4) % AGENTS_PER_SITE}` };
  const heartbeat = create(AgentStatusSchema, {
    agentId: params.agentId,
    seq: BigInt(i + 1),
    deploymentId: BENCH_MACHINE_ID,
    phase: DeploymentPhase.DOWNLOADING,
    progressPercent: i % 101,
    at: timestampNow(),
  });
  return { params, heartbeat };
}

/** Size of the last encoded heartbeat of a run, so the peer publishes as many bytes. */
export function heartbeatPayloadBytes(count: number): number {
  return toBinary(AgentStatusSchema, benchHeartbeat(count - 1).heartbeat).length;
}
