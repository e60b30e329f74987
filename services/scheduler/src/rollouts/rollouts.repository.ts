import { Inject, Injectable } from '@nestjs/common';
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

  async list(limit: number): Promise<RolloutSummary[]> {
    const rows = await this.ds.query<
      { rollout_id: string; release_id: string; state: string; wave_index: number; created_at: Date }[]
    >(
      'SELECT rollout_id, release_id, state, wave_index, created_at FROM rollout ORDER BY created_at DESC LIMIT $1',
      [limit],
    );
    return rows.map((r) => ({
      rolloutId: r.rollout_id,
      releaseId: r.release_id,
      state: r.state,
      waveIndex: r.wave_index,
      createdAt: r.created_at,
    }));
  }
}
