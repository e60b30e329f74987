import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Pins: a holder (`machine:<id>:current`, `machine:<id>:desired`, `rollout:<id>`) and the release it keeps. */
@Injectable()
export class ReleasePinsRepository {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}

  /** Sets (or with no release, clears) a holder's pin, unless a newer revision already did. */
  async pin(holder: string, releaseId: string, revision: string | null): Promise<void> {
    if (releaseId) {
      await this.ds.query(
        `INSERT INTO release_pin (holder, release_id, revision) VALUES ($1, $2, coalesce($3::bigint, 0))
         ON CONFLICT (holder) DO UPDATE SET release_id = $2, revision = excluded.revision, updated_at = now()
          WHERE $3::bigint IS NULL OR release_pin.revision < $3::bigint`,
        [holder, releaseId, revision],
      );
    } else {
      await this.ds.query(
        `DELETE FROM release_pin WHERE holder = $1 AND ($2::bigint IS NULL OR revision < $2::bigint)`,
        [holder, revision],
      );
    }
  }
}
