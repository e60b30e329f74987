import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface DeltaPlanFile {
  name: string;
  manifestSha256: string;
  totalBytes: number;
  chunks: number;
  needChunks: number;
  needStoredBytes: number;
  reusedBytes: number;
  needIds?: string[];
}

export interface DeltaPlan {
  releaseId: string;
  files: DeltaPlanFile[];
  needChunks: number;
  needStoredBytes: number;
  reusedBytes: number;
}

/**
 * What a machine still needs of a release: every distinct chunk of its files that is not in
 * what the machine holds (its current release's files, or a list of chunk ids), with the
 * stored bytes fetching them costs — per file, and for the release as a whole, where a chunk
 * two files share counts once. The manifests themselves are not counted.
 */
@Injectable()
export class DeltaPlanner {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}

  async plan(
    releaseId: string,
    held: { fromRelease: string } | { have: readonly string[] },
    includeIds = false,
  ): Promise<DeltaPlan> {
    const rows = await this.ds.query<
      {
        name: string | null;
        manifest_sha256: string | null;
        length_bytes: string | null;
        chunks: string;
        need_chunks: string;
        need_stored: string | null;
        reused: string | null;
        need_ids: string[] | null;
      }[]
    >(
      `WITH held AS (
         SELECT mc.sha256 FROM release_file f JOIN manifest_chunk mc ON mc.manifest_sha256 = f.manifest_sha256
          WHERE f.release_id = $2::uuid
         UNION SELECT unnest($3::text[])),
       wanted AS (
         SELECT f.name, f.manifest_sha256, f.length_bytes, c.sha256, c.size_bytes, c.stored_bytes,
                EXISTS (SELECT 1 FROM held h WHERE h.sha256 = c.sha256) AS is_held
           FROM release_file f
           JOIN manifest_chunk mc ON mc.manifest_sha256 = f.manifest_sha256
           JOIN chunk c ON c.sha256 = mc.sha256
          WHERE f.release_id = $1),
       files AS (
         SELECT name, manifest_sha256, length_bytes, count(*) AS chunks,
                count(*) FILTER (WHERE NOT is_held) AS need_chunks,
                sum(stored_bytes) FILTER (WHERE NOT is_held) AS need_stored,
                sum(size_bytes) FILTER (WHERE is_held) AS reused,
                CASE WHEN $4 THEN array_agg(sha256) FILTER (WHERE NOT is_held) END AS need_ids
           FROM wanted GROUP BY name, manifest_sha256, length_bytes),
       -- The release as a whole: a chunk two files share is fetched (or reused) once.
       release AS (
         SELECT NULL::text AS name, NULL::text AS manifest_sha256, NULL::bigint AS length_bytes,
                count(*) AS chunks, count(*) FILTER (WHERE NOT is_held) AS need_chunks,
                sum(stored_bytes) FILTER (WHERE NOT is_held) AS need_stored,
                sum(size_bytes) FILTER (WHERE is_held) AS reused, NULL::text[] AS need_ids
           FROM (SELECT DISTINCT sha256, size_bytes, stored_bytes, is_held FROM wanted) d)
       SELECT * FROM files UNION ALL SELECT * FROM release ORDER BY name NULLS LAST`,
      [
        releaseId,
        'fromRelease' in held ? held.fromRelease : null,
        'have' in held ? held.have : [],
        includeIds,
      ],
    );
    const total = rows.find((r) => r.name === null);
    const files = rows
      .flatMap((r) => (r.name === null ? [] : [{ ...r, name: r.name }]))
      .map((r) => ({
        name: r.name,
        manifestSha256: r.manifest_sha256 ?? '',
        totalBytes: Number(r.length_bytes),
        chunks: Number(r.chunks),
        needChunks: Number(r.need_chunks),
        needStoredBytes: Number(r.need_stored ?? 0),
        reusedBytes: Number(r.reused ?? 0),
        ...(includeIds ? { needIds: r.need_ids ?? [] } : {}),
      }));
    return {
      releaseId,
      files,
      needChunks: Number(total?.need_chunks ?? 0),
      needStoredBytes: Number(total?.need_stored ?? 0),
      reusedBytes: Number(total?.reused ?? 0),
    };
  }
}
