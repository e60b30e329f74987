import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

const BATCH = 5000;

@Injectable()
export class ReportRetentionRepository {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}

  /**
   * Deletes reports received before `cutoff`, in batches so that no transaction holds many
   * row locks; returns how many went. Safe with several instances at once: a row another
   * instance deleted first is skipped. Raw SQL for the batched DELETE … WHERE id IN (…
   * LIMIT), which the query builder cannot say. Old reports have the smallest ids, so the
   * ordered scan of the primary key stops early.
   */
  async purgeReceivedBefore(cutoff: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const [, removed] = await this.ds.query<[unknown, number]>(
        `DELETE FROM discovery_report WHERE id IN (
           SELECT id FROM discovery_report WHERE received_at < $1 ORDER BY id LIMIT ${BATCH})`,
        [cutoff],
      );
      total += removed;
      if (removed < BATCH) return total;
    }
  }
}
