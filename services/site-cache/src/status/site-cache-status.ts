import { Inject, Injectable } from '@nestjs/common';
import { SITE_CACHE_SETTINGS, type SiteCacheSettings } from '../site-cache.config.js';
import { DiskStore } from '../store/disk-store.js';
import { CacheStats, type StatsSnapshot } from './cache-stats.js';

export interface SiteCacheStatus extends StatsSnapshot {
  cacheId: string;
  siteId: string;
  url: string;
  origin: string;
  capacityBytes: number;
  usedBytes: number;
  chunkCount: number;
}

/** The figures of GET /v1/status and of each announcement. */
@Injectable()
export class SiteCacheStatusReader {
  constructor(
    @Inject(CacheStats) private readonly stats: CacheStats,
    @Inject(DiskStore) private readonly disk: DiskStore,
    @Inject(SITE_CACHE_SETTINGS) private readonly settings: SiteCacheSettings,
  ) {}

  read(): SiteCacheStatus {
    return {
      cacheId: this.settings.cacheId,
      siteId: this.settings.siteId,
      url: this.settings.publicUrl,
      origin: this.settings.origin,
      capacityBytes: this.settings.maxBytes,
      usedBytes: this.disk.index.usedBytes,
      chunkCount: this.disk.index.chunkCount,
      ...this.stats.snapshot(),
    };
  }
}
