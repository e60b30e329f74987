import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** One agent's newest status of a batch, in the protobuf JSON form the machine keeps. */
export interface LatestStatus {
  agentId: string;
  seq: bigint;
  status: Record<string, unknown>;
}

/**
 * Writes a batch of agents' statuses with one statement: a machine takes a status only from the
 * agent bound to it and only above `agent_status_seq`, so a replay, a duplicate or a late older
 * status changes nothing, whichever inventory instance applies it. Returns how many machines
 * took one.
 */
@Injectable()
export class StatusesRepository {
  async apply(manager: EntityManager, statuses: readonly LatestStatus[]): Promise<number> {
    if (statuses.length === 0) return 0;
    // TypeORM's PostgreSQL driver answers an UPDATE with [rows, rowCount].
    const [, count] = await manager.query<[unknown[], number]>(
      `UPDATE machine m
          SET last_status = s.status, agent_status_seq = s.seq
         FROM unnest($1::text[], $2::bigint[], $3::jsonb[]) AS s(agent_id, seq, status)
        WHERE m.agent_id = s.agent_id AND m.agent_status_seq < s.seq`,
      [
        statuses.map((s) => s.agentId),
        statuses.map((s) => s.seq.toString()),
        statuses.map((s) => JSON.stringify(s.status)),
      ],
    );
    return count;
  }
}
