import type { SimAgentRecord } from './sim-agent.js';

/** One status or facts report found in JetStream (AGENT_TELEMETRY). */
export interface StoredReport {
  readonly agentId: string;
  readonly seq: bigint;
}

export interface Accounting {
  readonly agents: number;
  /** Status and facts reports the agents sent (each seq once). */
  readonly sent: number;
  /** …that a gateway acknowledged (stored, duplicate, or taken per a Welcome). */
  readonly acknowledged: number;
  /** …that a gateway refused: never stored, by the contract, and the agent knows it. */
  readonly refused: number;
  /** …still waiting for an answer when the run ended. */
  readonly unsettled: number;
  /** Distinct (agent, seq) found in the stream. */
  readonly stored: number;
  /** Sent, not refused, and not in the stream. */
  readonly lost: number;
  /** The worst kind of lost: the agent was told it was stored. */
  readonly lostAfterAck: number;
  /** Extra copies of an (agent, seq) in the stream. */
  readonly duplicated: number;
  /** Stored (agent, seq) that no simulated agent sent. */
  readonly unknown: number;
  readonly heartbeats: {
    readonly sent: number;
    readonly acknowledged: number;
    /** Agents whose last acknowledged beat is newer than the last one in the heartbeat bucket. */
    readonly agentsBehind: number;
  };
}

const ACKED = new Set(['stored', 'duplicate', 'taken']);

/**
 * Accounts for every report the agents sent against what the stream holds. Status and facts are
 * events (each seq must be stored exactly once); a heartbeat is a last value (only the newest
 * one per agent is kept, so the check is that the bucket is not behind what was acknowledged).
 */
export function account(
  records: readonly SimAgentRecord[],
  stored: readonly StoredReport[],
  lastBeats: ReadonlyMap<string, bigint>,
): Accounting {
  const copies = new Map<string, number>();
  for (const r of stored) {
    const key = `${r.agentId}/${r.seq}`;
    copies.set(key, (copies.get(key) ?? 0) + 1);
  }
  let sent = 0;
  let acknowledged = 0;
  let refused = 0;
  let unsettled = 0;
  let lost = 0;
  let lostAfterAck = 0;
  let beatsSent = 0;
  let beatsAcked = 0;
  let agentsBehind = 0;
  const known = new Set<string>();
  for (const record of records) {
    let lastAckedBeat = 0n;
    for (const [seq, kind] of record.sent) {
      const outcome = record.settled.get(seq);
      const acked = outcome !== undefined && ACKED.has(outcome);
      if (kind === 'heartbeat') {
        beatsSent++;
        if (acked) {
          beatsAcked++;
          if (seq > lastAckedBeat) lastAckedBeat = seq;
        }
        continue;
      }
      const key = `${record.agentId}/${seq}`;
      known.add(key);
      sent++;
      if (acked) acknowledged++;
      else if (outcome === 'refused') refused++;
      else unsettled++;
      if (outcome !== 'refused' && !copies.has(key)) {
        lost++;
        if (acked) lostAfterAck++;
      }
    }
    if (lastAckedBeat > 0n && (lastBeats.get(record.agentId) ?? 0n) < lastAckedBeat) agentsBehind++;
  }
  let duplicated = 0;
  let unknown = 0;
  for (const [key, n] of copies) {
    duplicated += n - 1;
    if (!known.has(key)) unknown++;
  }
  return {
    agents: records.length,
    sent,
    acknowledged,
    refused,
    unsettled,
    stored: copies.size,
    lost,
    lostAfterAck,
    duplicated,
    unknown,
    heartbeats: { sent: beatsSent, acknowledged: beatsAcked, agentsBehind },
  };
}
