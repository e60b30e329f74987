import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** One row per build taken in: running, published (with its release) or failed (with why). */
@Injectable()
export class IngestRepository {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}

  async publishedRelease(buildId: string): Promise<string | undefined> {
    const [row] = await this.ds.query<{ release_id: string }[]>(
      `SELECT release_id FROM ingest WHERE build_id = $1 AND state = 'published'`,
      [buildId],
    );
    return row?.release_id;
  }

  async start(buildId: string): Promise<void> {
    await this.ds.query(
      `INSERT INTO ingest (build_id, state) VALUES ($1, 'running')
       ON CONFLICT (build_id) DO UPDATE SET state = 'running', started_at = now(), error = NULL`,
      [buildId],
    );
  }

  async fail(buildId: string, error: string): Promise<void> {
    await this.ds.query(
      `UPDATE ingest SET state = 'failed', error = $2, finished_at = now() WHERE build_id = $1`,
      [buildId, error.slice(0, 4000)],
    );
  }
}
