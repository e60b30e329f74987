import { Inject, Injectable } from '@nestjs/common';
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

  async list(limit: number): Promise<ReleaseSummary[]> {
    const rows = await this.ds.query<
      {
        release_id: string;
        image_name: string;
        version: string;
        architecture: string;
        chunk_count: number;
        total_size_bytes: string;
        published_at: Date;
      }[]
    >(
      `SELECT release_id, image_name, version, architecture, chunk_count, total_size_bytes, published_at
         FROM release ORDER BY published_at DESC LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({
      releaseId: r.release_id,
      imageName: r.image_name,
      version: r.version,
      architecture: r.architecture,
      chunkCount: r.chunk_count,
      totalSizeBytes: r.total_size_bytes,
      publishedAt: r.published_at,
    }));
  }
}
