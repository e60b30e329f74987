import { Inject, Injectable } from '@nestjs/common';
import type { TimeCursor } from '@muster/runtime';
import { DataSource } from 'typeorm';

export interface ReleaseSummary {
  releaseId: string;
  imageName: string;
  version: string;
  architecture: string;
  chunkCount: number;
  totalSizeBytes: string;
  publishedAt: Date;
}

@Injectable()
export class ReleasesRepository {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}

  /** Newest first, one page after `after`. */
  async list(limit: number, after?: TimeCursor): Promise<{ row: ReleaseSummary; cursor: TimeCursor }[]> {
    const rows = await this.ds.query<
      {
        release_id: string;
        image_name: string;
        version: string;
        architecture: string;
        chunk_count: number;
        total_size_bytes: string;
        published_at: Date;
        at: string;
      }[]
    >(
      `SELECT release_id, image_name, version, architecture, chunk_count, total_size_bytes, published_at,
              published_at::text AS at
         FROM release
        WHERE $2::timestamptz IS NULL OR (published_at, release_id) < ($2::timestamptz, $3::uuid)
        ORDER BY published_at DESC, release_id DESC LIMIT $1`,
      [limit, after?.at ?? null, after?.id ?? null],
    );
    return rows.map((r) => ({
      row: {
        releaseId: r.release_id,
        imageName: r.image_name,
        version: r.version,
        architecture: r.architecture,
        chunkCount: r.chunk_count,
        totalSizeBytes: r.total_size_bytes,
        publishedAt: r.published_at,
      },
      cursor: { at: r.at, id: r.release_id },
    }));
  }
}
