import { Inject, Injectable, Logger } from '@nestjs/common';
import { chunkObjectKey, isSha256Hex } from '@muster/chunks';
import { updatedRows } from '@muster/persistence';
import { DataSource } from 'typeorm';
import { ARTIFACT_SETTINGS, type ArtifactSettings } from '../artifact.config.js';
import { manifestObjectKey } from '../chunks/object-keys.js';
import { ArtifactBucket } from '../storage/artifact-bucket.provider.js';

const BATCH = 1000;
/** Any instance that holds it runs GC; the others skip that round. One per schema. */
const GC_LOCK = `hashtext('muster-gc:' || current_schema())`;

export interface GcReport {
  dryRun: boolean;
  releasesRemoved: string[];
  manifestsRemoved: number;
  chunksRemoved: number;
  storedBytesFreed: number;
  orphanObjectsRemoved: number;
  skipped?: 'another instance is collecting';
}

/**
 * Retention and garbage collection. A release goes when nothing keeps it: not in a channel, not
 * pinned by a machine or an open rollout, and not among the newest `MUSTER_RELEASE_KEEP` of its
 * image and architecture. A manifest or chunk goes when no remaining release uses it and it was
 * last stored or found by an upload longer ago than the grace period; chunks are deleted from S3
 * while their rows are locked, so an upload that finds one waits and then stores it afresh.
 */
@Injectable()
export class GarbageCollector {
  private readonly log = new Logger(GarbageCollector.name);

  constructor(
    @Inject(DataSource) private readonly ds: DataSource,
    @Inject(ArtifactBucket) private readonly bucket: ArtifactBucket,
    @Inject(ARTIFACT_SETTINGS) private readonly settings: ArtifactSettings,
  ) {}

  async collect(options: { dryRun?: boolean; now?: Date } = {}): Promise<GcReport> {
    const dryRun = options.dryRun ?? false;
    const cutoff = new Date((options.now ?? new Date()).getTime() - this.settings.gcGraceSeconds * 1000);
    const lock = this.ds.createQueryRunner();
    await lock.connect();
    try {
      const [{ locked }] = (await lock.query(`SELECT pg_try_advisory_lock(${GC_LOCK}) AS locked`)) as [
        { locked: boolean },
      ];
      const report: GcReport = {
        dryRun,
        releasesRemoved: [],
        manifestsRemoved: 0,
        chunksRemoved: 0,
        storedBytesFreed: 0,
        orphanObjectsRemoved: 0,
      };
      if (!locked) return { ...report, skipped: 'another instance is collecting' };
      try {
        report.releasesRemoved = await this.releases(dryRun);
        if (dryRun) return { ...report, ...(await this.estimate(cutoff, report.releasesRemoved)) };
        report.manifestsRemoved = await this.manifests(cutoff);
        Object.assign(report, await this.chunks(cutoff));
        report.orphanObjectsRemoved = await this.orphans(cutoff);
        this.log.log(
          `collected ${report.releasesRemoved.length} releases, ${report.manifestsRemoved} manifests, ${report.chunksRemoved} chunks (${report.storedBytesFreed} bytes)`,
        );
        return report;
      } finally {
        await lock.query(`SELECT pg_advisory_unlock(${GC_LOCK})`);
      }
    } finally {
      await lock.release();
    }
  }

  /** Releases nothing keeps. */
  private async releases(dryRun: boolean): Promise<string[]> {
    const query = `
      WITH ranked AS (
        SELECT release_id, state,
               row_number() OVER (PARTITION BY image_name, architecture, state = 'published' ORDER BY sequence DESC) AS newest
          FROM release)
      SELECT r.release_id FROM ranked r
       WHERE NOT (r.state = 'published' AND r.newest <= $1)
         AND NOT EXISTS (SELECT 1 FROM channel c WHERE c.release_id = r.release_id)
         AND NOT EXISTS (SELECT 1 FROM release_pin p WHERE p.release_id = r.release_id)`;
    const rows = await this.ds.query<{ release_id: string }[]>(query, [this.settings.keepReleases]);
    const ids = rows.map((r) => r.release_id);
    if (dryRun || ids.length === 0) return ids;
    return this.ds.transaction(async (tx) => {
      // Checked again under lock: a promotion or pin since the query keeps the release.
      const removed = updatedRows<{ release_id: string }>(
        await tx.query(
          `DELETE FROM release r WHERE r.release_id = ANY($1::uuid[])
            AND NOT EXISTS (SELECT 1 FROM channel c WHERE c.release_id = r.release_id)
            AND NOT EXISTS (SELECT 1 FROM release_pin p WHERE p.release_id = r.release_id)
          RETURNING r.release_id`,
          [ids],
        ),
      );
      return removed.map((r) => r.release_id);
    });
  }

  private async manifests(cutoff: Date): Promise<number> {
    const removed = updatedRows<{ sha256: string }>(
      await this.ds.query(
        `DELETE FROM manifest m WHERE m.created_at < $1
          AND NOT EXISTS (SELECT 1 FROM release_file f WHERE f.manifest_sha256 = m.sha256)
        RETURNING m.sha256`,
        [cutoff],
      ),
    );
    if (removed.length > 0)
      await this.bucket.store.deleteMany(
        this.bucket.name,
        removed.map((r) => manifestObjectKey(r.sha256)),
      );
    return removed.length;
  }

  private async chunks(cutoff: Date): Promise<{ chunksRemoved: number; storedBytesFreed: number }> {
    let chunksRemoved = 0;
    let storedBytesFreed = 0;
    for (;;) {
      const batch = await this.ds.transaction(async (tx) => {
        const rows = await tx.query<{ sha256: string; stored_bytes: string }[]>(
          `SELECT c.sha256, c.stored_bytes FROM chunk c
            WHERE c.seen_at < $1 AND NOT EXISTS (SELECT 1 FROM manifest_chunk mc WHERE mc.sha256 = c.sha256)
            LIMIT $2 FOR UPDATE SKIP LOCKED`,
          [cutoff, BATCH],
        );
        if (rows.length === 0) return rows;
        await this.bucket.store.deleteMany(
          this.bucket.name,
          rows.map((r) => chunkObjectKey(r.sha256)),
        );
        await tx.query('DELETE FROM chunk WHERE sha256 = ANY($1::text[])', [rows.map((r) => r.sha256)]);
        return rows;
      });
      chunksRemoved += batch.length;
      storedBytesFreed += batch.reduce((sum, r) => sum + Number(r.stored_bytes), 0);
      if (batch.length < BATCH) return { chunksRemoved, storedBytesFreed };
    }
  }

  /** Chunk objects without a row (an upload that stopped before recording them), older than the grace. */
  private async orphans(cutoff: Date): Promise<number> {
    let removed = 0;
    let page: string[] = [];
    const sweep = async () => {
      const held = await this.ds.query<{ sha256: string }[]>(
        'SELECT sha256 FROM chunk WHERE sha256 = ANY($1::text[])',
        [page],
      );
      const known = new Set(held.map((r) => r.sha256));
      const orphaned = page.filter((id) => !known.has(id));
      if (orphaned.length > 0)
        await this.bucket.store.deleteMany(this.bucket.name, orphaned.map(chunkObjectKey));
      removed += orphaned.length;
      page = [];
    };
    for await (const object of this.bucket.store.list(this.bucket.name, 'chunks/sha256/')) {
      const id = /([0-9a-f]{64})\.zst$/.exec(object.key)?.[1];
      if (!id || !isSha256Hex(id) || object.lastModified >= cutoff) continue;
      page.push(id);
      if (page.length >= BATCH) await sweep();
    }
    if (page.length > 0) await sweep();
    return removed;
  }

  /** What a run would free once the given releases are gone (nothing is deleted). */
  private async estimate(
    cutoff: Date,
    releases: string[],
  ): Promise<Pick<GcReport, 'chunksRemoved' | 'storedBytesFreed' | 'manifestsRemoved'>> {
    const [row] = await this.ds.query<{ manifests: string; chunks: string; bytes: string | null }[]>(
      `WITH kept AS (SELECT DISTINCT manifest_sha256 FROM release_file WHERE NOT (release_id = ANY($2::uuid[]))),
            gone_m AS (SELECT sha256 FROM manifest WHERE created_at < $1 AND sha256 NOT IN (SELECT manifest_sha256 FROM kept)),
            gone_c AS (SELECT c.sha256, c.stored_bytes FROM chunk c WHERE c.seen_at < $1
                        AND NOT EXISTS (SELECT 1 FROM manifest_chunk mc JOIN kept k ON k.manifest_sha256 = mc.manifest_sha256
                                         WHERE mc.sha256 = c.sha256)
                        AND NOT EXISTS (SELECT 1 FROM manifest_chunk mc JOIN manifest m ON m.sha256 = mc.manifest_sha256
                                         WHERE mc.sha256 = c.sha256 AND m.created_at >= $1))
       SELECT (SELECT count(*) FROM gone_m) AS manifests, (SELECT count(*) FROM gone_c) AS chunks,
              (SELECT sum(stored_bytes) FROM gone_c) AS bytes`,
      [cutoff, releases],
    );
    return {
      manifestsRemoved: Number(row!.manifests),
      chunksRemoved: Number(row!.chunks),
      storedBytesFreed: Number(row!.bytes ?? 0),
    };
  }
}
