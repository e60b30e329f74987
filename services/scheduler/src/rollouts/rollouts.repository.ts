import { Inject, Injectable } from '@nestjs/common';
import type { TimeCursor } from '@muster/runtime';
import { DataSource } from 'typeorm';

export interface RolloutSummary {
  rolloutId: string;
  releaseId: string;
  state: string;
  waveIndex: number;
  createdAt: Date;
}

@Injectable()
export class RolloutsRepository {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}

  /** Newest first, one page after `after`. */
  async list(limit: number, after?: TimeCursor): Promise<{ row: RolloutSummary; cursor: TimeCursor }[]> {
    const rows = await this.ds.query<
      {
        rollout_id: string;
        release_id: string;
        state: string;
        wave_index: number;
        created_at: Date;
        at: string;
      }[]
    >(
      `SELECT rollout_id, release_id, state, wave_index, created_at, created_at::text AS at FROM rollout
        WHERE $2::timestamptz IS NULL OR (created_at, rollout_id) < ($2::timestamptz, $3::uuid)
        ORDER BY created_at DESC, rollout_id DESC LIMIT $1`,
      [limit, after?.at ?? null, after?.id ?? null],
    );
    return rows.map((r) => ({
      row: {
        rolloutId: r.rollout_id,
        releaseId: r.release_id,
        state: r.state,
        waveIndex: r.wave_index,
        createdAt: r.created_at,
      },
      cursor: { at: r.at, id: r.rollout_id },
    }));
  }
}
