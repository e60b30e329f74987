import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PRIORITIES, type BuildState, type Priority } from './builds.schemas.js';

export interface PendingEnqueue {
  buildId: string;
  recipeDigest: string;
  priority: number;
}

export interface UnfinishedBuild extends PendingEnqueue {
  state: BuildState;
}

/** The builds the database holds and the queue must hold too. */
@Injectable()
export class QueueSyncRepository {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}

  /**
   * Hands up to `limit` pending enqueues to `enqueue`, oldest first, and forgets those it took.
   * Rows are locked (SKIP LOCKED), so two instances never hand over the same one at once; one
   * that fails ends the round and stays for the next (its error is returned, what was enqueued
   * before it is forgotten all the same).
   */
  async relay(
    limit: number,
    enqueue: (p: PendingEnqueue) => Promise<void>,
  ): Promise<{ enqueued: number; error?: Error }> {
    return this.ds.transaction(async (tx) => {
      const rows = await tx.query<{ build_id: string; recipe_digest: string; priority: number }[]>(
        `SELECT e.build_id, b.recipe_digest, e.priority
           FROM build_enqueue e JOIN build b ON b.build_id = e.build_id
          ORDER BY e.created_at LIMIT $1 FOR UPDATE OF e SKIP LOCKED`,
        [limit],
      );
      const done: string[] = [];
      let error: Error | undefined;
      try {
        for (const r of rows) {
          await enqueue({ buildId: r.build_id, recipeDigest: r.recipe_digest, priority: r.priority });
          done.push(r.build_id);
        }
      } catch (err) {
        error = err instanceof Error ? err : new Error('enqueue failed', { cause: err });
      }
      if (done.length > 0)
        await tx.query('DELETE FROM build_enqueue WHERE build_id = ANY($1::uuid[])', [done]);
      return error === undefined ? { enqueued: done.length } : { enqueued: done.length, error };
    });
  }

  /** Builds not yet ended. */
  async unfinished(): Promise<UnfinishedBuild[]> {
    const rows = await this.ds.query<
      { build_id: string; recipe_digest: string; state: BuildState; priority: Priority }[]
    >(
      `SELECT build_id, recipe_digest, state, priority FROM build
        WHERE state IN ('queued', 'running', 'cancelling') ORDER BY created_at`,
    );
    return rows.map((r) => ({
      buildId: r.build_id,
      recipeDigest: r.recipe_digest,
      state: r.state,
      priority: PRIORITIES[r.priority] ?? PRIORITIES.normal,
    }));
  }
}
