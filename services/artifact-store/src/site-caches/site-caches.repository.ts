import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface SiteCacheStatus {
  capacityBytes: number;
  usedBytes: number;
  chunkCount: number;
  hitRatio: number;
  bytesServed: number;
  originBytes: number;
}

export interface SiteCacheRow {
  cacheId: string;
  siteId: string;
  url: string;
  announcedAt: Date;
  status: SiteCacheStatus;
}

/** The last announcement of each site cache: where it is, how full and how useful. */
@Injectable()
export class SiteCachesRepository {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}

  /** Keeps an announcement unless a later one of the same cache is already kept. */
  async record(row: SiteCacheRow & { seq: bigint }): Promise<void> {
    await this.ds.query(
      `INSERT INTO site_cache (cache_id, site_id, url, status, announced_at, seq) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (cache_id) DO UPDATE SET site_id = $2, url = $3, status = $4, announced_at = $5, seq = $6
        WHERE site_cache.seq < $6`,
      [row.cacheId, row.siteId, row.url, JSON.stringify(row.status), row.announcedAt, row.seq.toString()],
    );
  }

  async list(siteId?: string): Promise<SiteCacheRow[]> {
    const rows = await this.ds.query<
      { cache_id: string; site_id: string; url: string; status: SiteCacheStatus; announced_at: Date }[]
    >(
      `SELECT cache_id, site_id, url, status, announced_at FROM site_cache
        WHERE $1::text IS NULL OR site_id = $1 ORDER BY site_id, cache_id`,
      [siteId ?? null],
    );
    return rows.map((r) => ({
      cacheId: r.cache_id,
      siteId: r.site_id,
      url: r.url,
      announcedAt: r.announced_at,
      status: r.status,
    }));
  }
}
