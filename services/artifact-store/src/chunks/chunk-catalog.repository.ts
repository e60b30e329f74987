import { Inject, Injectable } from '@nestjs/common';
import type { Manifest } from '@muster/chunks';
import { updatedRows } from '@muster/persistence';
import { DataSource } from 'typeorm';

export interface StoredChunkRow {
  sha256: string;
  length: number;
  storedLength: number;
}

/**
 * What the store holds, as rows beside the S3 objects. A chunk row is written only after its
 * object is stored and checked, so a row always means the object is there; ingest "touches" the
 * rows it reuses (seen_at), which is what keeps garbage collection off a chunk in use by an
 * upload that has not yet recorded its manifest.
 */
@Injectable()
export class ChunkCatalogRepository {
  constructor(@Inject(DataSource) readonly ds: DataSource) {}

  /** The ids among `ids` the store holds, with their stored sizes; each one's seen_at is now. */
  async touch(ids: readonly string[]): Promise<Map<string, number>> {
    if (ids.length === 0) return new Map();
    const rows = updatedRows<{ sha256: string; stored_bytes: string }>(
      await this.ds.query(
        `UPDATE chunk SET seen_at = now() WHERE sha256 = ANY($1::text[]) RETURNING sha256, stored_bytes`,
        [ids],
      ),
    );
    return new Map(rows.map((r) => [r.sha256, Number(r.stored_bytes)]));
  }

  /** Records chunks whose objects are stored (a row already there is only touched). */
  async record(chunks: readonly StoredChunkRow[]): Promise<void> {
    if (chunks.length === 0) return;
    await this.ds.query(
      `INSERT INTO chunk (sha256, size_bytes, stored_bytes, compression)
       SELECT *, 'zstd' FROM unnest($1::text[], $2::bigint[], $3::bigint[])
       ON CONFLICT (sha256) DO UPDATE SET seen_at = now()`,
      [chunks.map((c) => c.sha256), chunks.map((c) => c.length), chunks.map((c) => c.storedLength)],
    );
  }

  /** Records a manifest whose JSON is stored, and which chunks it uses. */
  async recordManifest(sha256: string, manifest: Manifest, jsonBytes: number): Promise<void> {
    const distinct = [...new Set(manifest.chunks.map((c) => c.sha256))];
    const storedBytes = manifest.chunks.reduce((sum, c) => sum + c.storedLength, 0);
    await this.ds.transaction(async (tx) => {
      const inserted = await tx.query<unknown[]>(
        `INSERT INTO manifest (sha256, file_sha256, length_bytes, chunk_count, stored_bytes, chunking, json_bytes)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (sha256) DO NOTHING RETURNING sha256`,
        [
          sha256,
          manifest.sha256,
          manifest.length,
          manifest.chunks.length,
          storedBytes,
          manifest.chunking,
          jsonBytes,
        ],
      );
      if (inserted.length === 0) return;
      await tx.query(`INSERT INTO manifest_chunk (manifest_sha256, sha256) SELECT $1, unnest($2::text[])`, [
        sha256,
        distinct,
      ]);
    });
  }

  /** The uncompressed length of each of `ids` the store holds. */
  async lengths(ids: readonly string[]): Promise<Map<string, { length: number; storedLength: number }>> {
    const rows = await this.ds.query<{ sha256: string; size_bytes: string; stored_bytes: string }[]>(
      'SELECT sha256, size_bytes, stored_bytes FROM chunk WHERE sha256 = ANY($1::text[])',
      [ids],
    );
    return new Map(
      rows.map((r) => [r.sha256, { length: Number(r.size_bytes), storedLength: Number(r.stored_bytes) }]),
    );
  }

  async hasManifest(sha256: string): Promise<boolean> {
    const rows = await this.ds.query<unknown[]>('SELECT 1 FROM manifest WHERE sha256 = $1', [sha256]);
    return rows.length > 0;
  }
}
