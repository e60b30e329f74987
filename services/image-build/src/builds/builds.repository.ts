import { Inject, Injectable } from '@nestjs/common';
import type { TimeCursor } from '@muster/runtime';
import { DataSource } from 'typeorm';

export interface BuildSummary {
  buildId: string;
  recipeName: string;
  state: string;
  phase: string | null;
  createdAt: Date;
}

@Injectable()
export class BuildsRepository {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}

  /** Newest first, one page after `after`. */
  async list(limit: number, after?: TimeCursor): Promise<{ row: BuildSummary; cursor: TimeCursor }[]> {
    const rows = await this.ds.query<
      { build_id: string; name: string; state: string; phase: string | null; created_at: Date; at: string }[]
    >(
      `SELECT b.build_id, r.name, b.state, b.phase, b.created_at, b.created_at::text AS at
         FROM build b JOIN recipe r ON r.digest = b.recipe_digest
        WHERE $2::timestamptz IS NULL OR (b.created_at, b.build_id) < ($2::timestamptz, $3::uuid)
        ORDER BY b.created_at DESC, b.build_id DESC LIMIT $1`,
      [limit, after?.at ?? null, after?.id ?? null],
    );
    return rows.map((r) => ({
      row: {
        buildId: r.build_id,
        recipeName: r.name,
        state: r.state,
        phase: r.phase,
        createdAt: r.created_at,
      },
      cursor: { at: r.at, id: r.build_id },
    }));
  }
}
