import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { MachineEntity } from '../machines/machine.entity.js';
import type { FoldedBeat } from './heartbeat-fold.js';

/** A machine whose observed release a batch of beats changed. */
export interface ReleaseMoved {
  row: MachineEntity;
  from: string | null;
}

/**
 * Writes a batch of folded heartbeats with one statement (raw SQL: a data-modifying CTE over
 * unnest, which the query builder cannot say). The rows are locked in machine-id order first,
 * so two instances folding overlapping batches never deadlock; `last_seen` only moves forward
 * and never past the database's clock; the release only from a beat above `agent_beat_seq`,
 * bumping the record's revision when it changes. Beats of an agent not bound to the machine
 * match no row.
 */
@Injectable()
export class HeartbeatsRepository {
  async fold(manager: EntityManager, beats: readonly FoldedBeat[]): Promise<ReleaseMoved[]> {
    if (beats.length === 0) return [];
    const changed = `b.seq > l.old_seq AND NULLIF(b.release, '')::uuid IS DISTINCT FROM l.old_release`;
    // TypeORM's PostgreSQL driver answers an UPDATE with [rows, rowCount].
    const [rows] = await manager.query<
      [{ machine_id: string; old_release: string | null; release_changed: boolean }[], number]
    >(
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
              revision = m.revision + CASE WHEN ${changed} THEN 1 ELSE 0 END,
              updated_at = CASE WHEN ${changed} THEN now() ELSE m.updated_at END
         FROM beat b, locked l
        WHERE m.machine_id = b.machine_id AND m.agent_id = b.agent_id AND l.machine_id = m.machine_id
       RETURNING m.machine_id, l.old_release, (${changed}) AS release_changed`,
      [
        beats.map((b) => b.machineId),
        beats.map((b) => b.agentId),
        beats.map((b) => b.seen),
        beats.map((b) => b.seq.toString()),
        beats.map((b) => b.release),
      ],
    );
    const moved = rows.filter((r) => r.release_changed);
    if (moved.length === 0) return [];
    const from = new Map(moved.map((r) => [r.machine_id, r.old_release]));
    const records = await manager
      .getRepository(MachineEntity)
      .createQueryBuilder('m')
      .where('m.machine_id = ANY(:ids)', { ids: [...from.keys()] })
      .getMany();
    return records.map((row) => ({ row, from: from.get(row.machineId) ?? null }));
  }
}
