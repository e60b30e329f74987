import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { BuildState } from './builds.schemas.js';

export interface LogLine {
  seq: number;
  at: Date;
  line: string;
}

export interface BuildProgressView {
  state: BuildState;
  phase: string | null;
  percent: number;
  message: string | null;
}

/** A build's log lines (numbered from 1 across its attempts) and the state its stream follows. */
@Injectable()
export class BuildLogRepository {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}

  async append(buildId: string, lines: readonly LogLine[]): Promise<void> {
    if (lines.length === 0) return;
    await this.ds.query(
      `INSERT INTO build_log (build_id, seq, at, line)
       SELECT $1, * FROM unnest($2::int[], $3::timestamptz[], $4::text[])
       ON CONFLICT (build_id, seq) DO NOTHING`,
      [buildId, lines.map((l) => l.seq), lines.map((l) => l.at.toISOString()), lines.map((l) => l.line)],
    );
  }

  /** The last line's number (0 when there is none). */
  async lastSeq(buildId: string): Promise<number> {
    const [row] = await this.ds.query<{ last: number }[]>(
      'SELECT coalesce(max(seq), 0)::int AS last FROM build_log WHERE build_id = $1',
      [buildId],
    );
    return row?.last ?? 0;
  }

  /** Up to `limit` lines after `after`, in order. */
  async after(buildId: string, after: number, limit: number): Promise<LogLine[]> {
    return this.ds.query<LogLine[]>(
      `SELECT seq, at, line FROM build_log WHERE build_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
      [buildId, after, limit],
    );
  }

  async progress(buildId: string): Promise<BuildProgressView | undefined> {
    const [row] = await this.ds.query<BuildProgressView[]>(
      'SELECT state, phase, percent, phase_message AS message FROM build WHERE build_id = $1',
      [buildId],
    );
    return row;
  }
}
