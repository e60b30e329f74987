import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { IdentityConflictEntity } from './identity-conflict.entity.js';

export interface ConflictRecord {
  conflictKey: string;
  outcome: 'new-machine' | 'known-machine' | 'held';
  machineId: string | null;
  otherMachineIds: string[];
  keys: string[];
  reason: string;
  report: unknown;
}

@Injectable()
export class IdentityConflictsRepository {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}

  /**
   * Records a conflict, or counts it again (raw SQL: an upsert on the conflict key, which the
   * query builder cannot say with the counter increment). Returns the conflict's id.
   */
  async upsert(manager: EntityManager, c: ConflictRecord): Promise<string> {
    const [row] = await manager.query<{ id: string }[]>(
      `INSERT INTO identity_conflict (conflict_key, outcome, machine_id, other_machine_ids, keys, reason, report)
       VALUES ($1, $2, $3, $4::uuid[], $5::text[], $6, $7)
       ON CONFLICT (conflict_key) DO UPDATE
          SET last_seen = now(), report_count = identity_conflict.report_count + 1,
              keys = EXCLUDED.keys, reason = EXCLUDED.reason, report = EXCLUDED.report
       RETURNING id`,
      [c.conflictKey, c.outcome, c.machineId, c.otherMachineIds, c.keys, c.reason, JSON.stringify(c.report)],
    );
    return row!.id;
  }

  /** Oldest first, a page at a time; `afterId` is the last id of the previous page. */
  async list(filter: { limit: number; afterId?: string | undefined; machineId?: string | undefined }) {
    const q = this.ds
      .getRepository(IdentityConflictEntity)
      .createQueryBuilder('c')
      .orderBy('c.id')
      .limit(filter.limit);
    if (filter.afterId) q.andWhere('c.id > :afterId', { afterId: filter.afterId });
    if (filter.machineId) {
      q.andWhere('(c.machine_id = :machineId OR :machineId = ANY(c.other_machine_ids))', {
        machineId: filter.machineId,
      });
    }
    return q.getMany();
  }
}
