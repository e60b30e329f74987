import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { contracts, type AgentHeartbeat } from '@muster/contracts';
import { OnEvent, type Delivery } from '@muster/messaging';
import { OutboxRelay } from '@muster/persistence';
import { MachineEntity } from '../machines/machine.entity.js';
import { MachineWriter } from '../machines/machine-writer.js';
import { foldBeats } from './heartbeat-fold.js';

export const HEARTBEATS_CONSUMER = 'inventory-agent-heartbeats';

/**
 * Folds agents' heartbeats (the stream of the AGENT_HEARTBEATS KV bucket: the last beat per
 * agent) into `last_seen` and the observed release, never a database write per beat: a batch of
 * up to 1,000 beats is one UPDATE. It is monotonic and safe with several inventory instances:
 * `last_seen` only moves forward (GREATEST, and never past the database's clock), the release
 * only from a beat whose seq is above the machine's `agent_beat_seq`, and the rows are locked in
 * machine-id order so that two instances never deadlock. Only a change of observed release is
 * a record change (history and `machine.updated`); last seen is not an event. Beats of an agent
 * no longer bound to the machine (it was re-imaged and enrolled again) change nothing.
 */
@Injectable()
export class AgentHeartbeatsHandlers {
  constructor(
    @Inject(DataSource) private readonly ds: DataSource,
    @Inject(MachineWriter) private readonly writer: MachineWriter,
    @Inject(OutboxRelay) private readonly relay: OutboxRelay,
  ) {}

  @OnEvent(contracts.agentHeartbeat, { durable: HEARTBEATS_CONSUMER, batchSize: 1000, ackWaitMs: 15_000 })
  async onBeats(deliveries: readonly Delivery<AgentHeartbeat>[]): Promise<void> {
    const beats = foldBeats(deliveries);
    const released = await this.ds.transaction(async (manager) => {
      const [changed] = await manager.query<[{ machine_id: string; old_release: string | null; agent_id: string }[], number]>(
        `WITH beat AS (
           SELECT * FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::bigint[], $5::text[])
             AS b(machine_id, agent_id, seen, seq, release)
         ), locked AS (
           SELECT m.machine_id, m.current_release_id AS old_release, m.agent_beat_seq AS old_seq
             FROM machine m JOIN beat b ON b.machine_id = m.machine_id AND b.agent_id = m.agent_id
            ORDER BY m.machine_id FOR UPDATE OF m
         )
         UPDATE machine m
            SET last_seen = GREATEST(m.last_seen, LEAST(b.seen, now())),
                agent_beat_seq = GREATEST(l.old_seq, b.seq),
                current_release_id = CASE WHEN b.seq > l.old_seq THEN NULLIF(b.release, '')::uuid ELSE l.old_release END,
                revision = m.revision + CASE WHEN b.seq > l.old_seq AND NULLIF(b.release, '')::uuid IS DISTINCT FROM l.old_release THEN 1 ELSE 0 END,
                updated_at = CASE WHEN b.seq > l.old_seq AND NULLIF(b.release, '')::uuid IS DISTINCT FROM l.old_release THEN now() ELSE m.updated_at END
           FROM beat b, locked l
          WHERE m.machine_id = b.machine_id AND m.agent_id = b.agent_id AND l.machine_id = m.machine_id
         RETURNING m.machine_id, l.old_release, m.agent_id,
                   (b.seq > l.old_seq AND NULLIF(b.release, '')::uuid IS DISTINCT FROM l.old_release) AS release_changed`,
        [
          beats.map((b) => b.machineId),
          beats.map((b) => b.agentId),
          beats.map((b) => b.seen),
          beats.map((b) => b.seq.toString()),
          beats.map((b) => b.release),
        ],
      );
      const moved = (changed as unknown as { machine_id: string; old_release: string | null; agent_id: string; release_changed: boolean }[]).filter(
        (r) => r.release_changed,
      );
      if (moved.length === 0) return 0;
      const rows = await manager.getRepository(MachineEntity).createQueryBuilder('m').where('m.machine_id = ANY(:ids)', { ids: moved.map((r) => r.machine_id) }).getMany();
      const old = new Map(moved.map((r) => [r.machine_id, r.old_release]));
      for (const row of rows) {
        await this.writer.announce(
          manager,
          row,
          { current_release_id: { from: old.get(row.machineId) ?? null, to: row.currentReleaseId } },
          { actor: `agent:${row.agentId ?? ''}`, kind: 'release-observed', reason: 'the agent reports another running release' },
        );
      }
      return rows.length;
    });
    if (released > 0) this.relay.kick();
  }
}
