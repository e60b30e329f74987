import pg from 'pg';
import type { BusConnection } from '@muster/messaging';
import type { SimAgentRecord } from '../../test/agents/simulator/sim-agent.js';

/** inventory's durable consumer of agent status (libs/contracts/src/services.ts). */
const STATUS_DURABLE = 'inventory-agent-status';

/** Resolves when inventory has taken every status in AGENT_TELEMETRY, with the time it did. */
export async function inventoryDrained(bus: BusConnection, timeoutMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const info = await bus.jsm.consumers.info('AGENT_TELEMETRY', STATUS_DURABLE);
    if (info.num_pending === 0 && info.num_ack_pending === 0) return performance.now();
    if (performance.now() > deadline) {
      throw new Error(`inventory still has ${info.num_pending + info.num_ack_pending} statuses to take`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Agents whose machine in inventory's database does not hold their last status (its seq is the
 * agent's highest status seq): each is a status lost on the way into the database.
 */
export async function machinesBehind(
  postgresUrl: string,
  schema: string,
  records: readonly SimAgentRecord[],
): Promise<number> {
  const db = new pg.Client({ connectionString: postgresUrl });
  await db.connect();
  try {
    const { rows } = await db.query<{ agent_id: string; agent_status_seq: string }>(
      `SELECT agent_id, agent_status_seq FROM ${schema}.machine WHERE agent_id = ANY($1)`,
      [records.map((r) => r.agentId)],
    );
    const held = new Map(rows.map((r) => [r.agent_id, BigInt(r.agent_status_seq)]));
    let behind = 0;
    for (const record of records) {
      let last = 0n;
      for (const [seq, kind] of record.sent) if (kind === 'status' && seq > last) last = seq;
      if (last > 0n && held.get(record.agentId) !== last) behind++;
    }
    return behind;
  } finally {
    await db.end();
  }
}
