import { fromBinary } from '@bufbuild/protobuf';
import { AgentFactsSchema, AgentHeartbeatSchema, AgentStatusSchema } from '@muster/contracts';
import type { BusConnection } from '@muster/messaging';
import { readSubject } from '@muster/messaging/testing';
import { account, type Accounting, type StoredReport } from './accounting.js';
import type { SimAgentRecord } from './sim-agent.js';

/** Every status and facts report of the site's agents in AGENT_TELEMETRY, in stream order. */
export async function readStoredReports(bus: BusConnection, siteId: string): Promise<StoredReport[]> {
  const [statuses, facts] = await Promise.all([
    readSubject(bus, 'AGENT_TELEMETRY', `muster.site.${siteId}.agent.*.status.*`),
    readSubject(bus, 'AGENT_TELEMETRY', `muster.site.${siteId}.agent.*.facts.*`),
  ]);
  return [
    ...statuses.map((m) => fromBinary(AgentStatusSchema, m.data)),
    ...facts.map((m) => fromBinary(AgentFactsSchema, m.data)),
  ].map((r) => ({ agentId: r.agentId, seq: r.seq }));
}

/** The seq of each agent's last heartbeat in the AGENT_HEARTBEATS bucket. */
export async function readLastHeartbeats(bus: BusConnection, siteId: string): Promise<Map<string, bigint>> {
  const beats = await readSubject(bus, 'KV_AGENT_HEARTBEATS', `$KV.AGENT_HEARTBEATS.site.${siteId}.agent.*`);
  const last = new Map<string, bigint>();
  for (const m of beats) {
    if (m.data.length === 0) continue;
    const beat = fromBinary(AgentHeartbeatSchema, m.data);
    if (beat.seq > (last.get(beat.agentId) ?? 0n)) last.set(beat.agentId, beat.seq);
  }
  return last;
}

/**
 * The checker: what every agent sent, against JetStream. Heartbeats may reach the bucket a
 * moment after their acknowledgement (batched), so the bucket is read again until it has caught
 * up or `settleMs` passed; status and facts must already be stored when acknowledged.
 */
export async function checkDelivery(
  bus: BusConnection,
  siteId: string,
  records: readonly SimAgentRecord[],
  settleMs = 10_000,
): Promise<Accounting> {
  const stored = await readStoredReports(bus, siteId);
  const deadline = Date.now() + settleMs;
  for (;;) {
    const result = account(records, stored, await readLastHeartbeats(bus, siteId));
    if (result.heartbeats.agentsBehind === 0 || Date.now() > deadline) return result;
    await new Promise((r) => setTimeout(r, 500));
  }
}

export function formatAccounting(a: Accounting): string {
  return (
    `agents=${a.agents} sent=${a.sent} acknowledged=${a.acknowledged} refused=${a.refused} unsettled=${a.unsettled} ` +
    `stored=${a.stored} lost=${a.lost} lost_after_ack=${a.lostAfterAck} duplicated=${a.duplicated} unknown=${a.unknown} ` +
    `heartbeats_sent=${a.heartbeats.sent} heartbeats_acked=${a.heartbeats.acknowledged} heartbeat_agents_behind=${a.heartbeats.agentsBehind}`
  );
}
