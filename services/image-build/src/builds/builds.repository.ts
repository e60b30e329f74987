import { Inject, Injectable } from '@nestjs/common';
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

  async list(limit: number): Promise<BuildSummary[]> {
    const rows = await this.ds.query<
      { build_id: string; name: string; state: string; phase: string | null; created_at: Date }[]
    >(
      `SELECT b.build_id, r.name, b.state, b.phase, b.created_at
         FROM build b JOIN recipe r ON r.digest = b.recipe_digest
        ORDER BY b.created_at DESC LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({
      buildId: r.build_id,
      recipeName: r.name,
      state: r.state,
      phase: r.phase,
      createdAt: r.created_at,
    }));
  }
}
