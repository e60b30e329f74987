import { Inject, Injectable } from '@nestjs/common';
import { Metrics } from '@muster/observability';

/** Why a chunk was refused: its integrity reason, or what else was wrong with it. */
export type RefusalReason =
  'corrupt' | 'too-long' | 'too-short' | 'hash-mismatch' | 'unexpected-chunk' | 'length-unknown';

export interface StatsSnapshot {
  hits: number;
  misses: number;
  hitRatio: number;
  bytesServed: number;
  originBytes: number;
  bytesSaved: number;
  refused: Record<string, number>;
  evictions: number;
}

/**
 * What the cache counts since it started: on /metrics (Prometheus) and in GET /v1/status and
 * the bus announcement. Bytes are stored (zstd) bytes, what crosses the network.
 */
@Injectable()
export class CacheStats {
  private hits = 0;
  private misses = 0;
  private served = 0;
  private origin = 0;
  private saved = 0;
  private evictedCount = 0;
  private readonly refusals = new Map<string, number>();
  private readonly requests;
  private readonly servedBytes;
  private readonly originBytes;
  private readonly savedBytes;
  private readonly refusedChunks;
  private readonly evictions;
  private readonly ratio;

  constructor(@Inject(Metrics) metrics: Metrics) {
    this.requests = metrics.counter({
      name: 'muster_site_cache_chunk_requests_total',
      help: 'Chunks asked of the cache, by result: hit (from its disk) or miss (read through)',
      labelNames: ['result'],
    });
    this.ratio = metrics.gauge({
      name: 'muster_site_cache_hit_ratio',
      help: 'Chunk requests answered from the disk over all chunk requests, since start',
    });
    this.servedBytes = metrics.counter({
      name: 'muster_site_cache_served_bytes_total',
      help: 'Stored chunk bytes sent to machines',
    });
    this.originBytes = metrics.counter({
      name: 'muster_site_cache_origin_bytes_total',
      help: 'Bytes received from the origin (chunks, manifests, documents)',
    });
    this.savedBytes = metrics.counter({
      name: 'muster_site_cache_saved_bytes_total',
      help: 'Stored chunk bytes served from the disk, which the origin did not send again',
    });
    this.refusedChunks = metrics.counter({
      name: 'muster_site_cache_refused_chunks_total',
      help: 'Chunks from the origin or the disk that failed verification, by reason; never stored or served',
      labelNames: ['reason'],
    });
    this.evictions = metrics.counter({
      name: 'muster_site_cache_evictions_total',
      help: 'Chunks and manifests removed to stay under the disk limit',
    });
  }

  hit(storedBytes: number): void {
    this.hits += 1;
    this.saved += storedBytes;
    this.requests.inc({ result: 'hit' });
    this.savedBytes.inc(storedBytes);
    this.updateRatio();
  }

  miss(): void {
    this.misses += 1;
    this.requests.inc({ result: 'miss' });
    this.updateRatio();
  }

  servedChunk(storedBytes: number): void {
    this.served += storedBytes;
    this.servedBytes.inc(storedBytes);
  }

  fromOrigin(bytes: number): void {
    this.origin += bytes;
    this.originBytes.inc(bytes);
  }

  refused(reason: RefusalReason): void {
    this.refusals.set(reason, (this.refusals.get(reason) ?? 0) + 1);
    this.refusedChunks.inc({ reason });
  }

  evicted(): void {
    this.evictedCount += 1;
    this.evictions.inc();
  }

  snapshot(): StatsSnapshot {
    return {
      hits: this.hits,
      misses: this.misses,
      hitRatio: this.hitRatio(),
      bytesServed: this.served,
      originBytes: this.origin,
      bytesSaved: this.saved,
      refused: Object.fromEntries(this.refusals),
      evictions: this.evictedCount,
    };
  }

  private hitRatio(): number {
    const total = this.hits + this.misses;
    return total === 0 ? 0 : this.hits / total;
  }

  private updateRatio(): void {
    this.ratio.set(this.hitRatio());
  }
}
