import type { AgentHeartbeat } from '@muster/contracts';
import type { Delivery } from '@muster/messaging';

/** What a batch of heartbeats says about one agent's machine. */
export interface FoldedBeat {
  machineId: string;
  agentId: string;
  /** The latest time any of its beats was stored (CloudEvents `time` from the gateway). */
  seen: Date;
  /** The highest seq among its beats, and the release that beat reported ('' for none). */
  seq: bigint;
  release: string;
}

/** One row per agent: the latest time seen, and the release of its highest seq. */
export function foldBeats(deliveries: readonly Delivery<AgentHeartbeat>[]): FoldedBeat[] {
  const byAgent = new Map<string, FoldedBeat>();
  for (const d of deliveries) {
    const beat = d.message;
    const at = new Date(d.meta.time);
    const seen = Number.isNaN(at.getTime()) ? new Date() : at;
    const held = byAgent.get(beat.agentId);
    if (!held) {
      byAgent.set(beat.agentId, {
        machineId: beat.machineId,
        agentId: beat.agentId,
        seen,
        seq: beat.seq,
        release: beat.currentReleaseId,
      });
      continue;
    }
    if (seen > held.seen) held.seen = seen;
    if (beat.seq > held.seq) {
      held.seq = beat.seq;
      held.release = beat.currentReleaseId;
      held.machineId = beat.machineId;
    }
  }
  return [...byAgent.values()];
}
