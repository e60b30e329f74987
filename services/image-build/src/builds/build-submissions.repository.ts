import { Inject, Injectable } from '@nestjs/common';
import type { BundledRecipe } from '@muster/recipes';
import { DataSource } from 'typeorm';
import { updatedRows } from '@muster/persistence';
import { PRIORITIES, TERMINAL_STATES, type BuildState, type Priority } from './builds.schemas.js';

export interface NewBuild {
  buildId: string;
  recipeDigest: string;
  recipe: BundledRecipe;
  blobs: ReadonlyMap<string, Buffer>;
  priority: Priority;
  cache: 'use' | 'refresh';
}

/** What a cancel found, and what it did in the database. */
export type CancelStart =
  { kind: 'missing' } | { kind: 'terminal'; state: BuildState } | { kind: 'cancelling'; wasQueued: boolean };

/** Submissions and cancellations: the writes the HTTP routes make. */
@Injectable()
export class BuildSubmissionsRepository {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}

  /**
   * In one transaction: the recipe (by digest, kept once), its blobs (by SHA-256, kept once),
   * the build, queued, and the intent to enqueue it, which the relay turns into a BullMQ job.
   */
  async submit(b: NewBuild): Promise<void> {
    await this.ds.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO recipe (digest, name, body) VALUES ($1, $2, $3) ON CONFLICT (digest) DO NOTHING`,
        [b.recipeDigest, b.recipe.name, JSON.stringify(b.recipe)],
      );
      if (b.blobs.size > 0) {
        await tx.query(
          `INSERT INTO recipe_blob (sha256, bytes)
           SELECT * FROM unnest($1::text[], $2::bytea[]) ON CONFLICT (sha256) DO NOTHING`,
          [[...b.blobs.keys()], [...b.blobs.values()]],
        );
      }
      await tx.query(
        `INSERT INTO build (build_id, recipe_digest, state, phase, priority, cache)
         VALUES ($1, $2, 'queued', 'queued', $3, $4)`,
        [b.buildId, b.recipeDigest, b.priority, b.cache],
      );
      await tx.query('INSERT INTO build_enqueue (build_id, priority) VALUES ($1, $2)', [
        b.buildId,
        PRIORITIES[b.priority],
      ]);
    });
  }

  /** Whether `buildId` is a build that succeeded (its package set can be built from). */
  async succeeded(buildId: string): Promise<boolean> {
    const rows = await this.ds.query<unknown[]>(
      `SELECT 1 FROM build WHERE build_id = $1 AND state = 'succeeded'`,
      [buildId],
    );
    return rows.length > 0;
  }

  /**
   * Marks a queued or running build `cancelling` (a queued one's pending enqueue is dropped);
   * a terminal one is left as it is.
   */
  async startCancel(buildId: string): Promise<CancelStart> {
    return this.ds.transaction(async (tx) => {
      const [row] = await tx.query<{ state: BuildState }[]>(
        'SELECT state FROM build WHERE build_id = $1 FOR UPDATE',
        [buildId],
      );
      if (!row) return { kind: 'missing' };
      if (TERMINAL_STATES.includes(row.state)) return { kind: 'terminal', state: row.state };
      if (row.state !== 'cancelling') {
        await tx.query(`UPDATE build SET state = 'cancelling', updated_at = now() WHERE build_id = $1`, [
          buildId,
        ]);
      }
      await tx.query('DELETE FROM build_enqueue WHERE build_id = $1', [buildId]);
      return { kind: 'cancelling', wasQueued: row.state === 'queued' };
    });
  }

  /** A `cancelling` build that no worker runs becomes `cancelled`; false if it was no longer cancelling. */
  async finishCancel(buildId: string): Promise<boolean> {
    const result: unknown = await this.ds.query(
      `UPDATE build SET state = 'cancelled', finished_at = now(), updated_at = now()
        WHERE build_id = $1 AND state = 'cancelling' RETURNING build_id`,
      [buildId],
    );
    return updatedRows(result).length > 0;
  }

  async stateOf(buildId: string): Promise<BuildState | undefined> {
    const [row] = await this.ds.query<{ state: BuildState }[]>(
      'SELECT state FROM build WHERE build_id = $1',
      [buildId],
    );
    return row?.state;
  }
}
