import { Inject, Injectable } from '@nestjs/common';
import type { TimeCursor } from '@muster/runtime';
import { DataSource, type EntityManager } from 'typeorm';
import type { ListReleasesQuery, ReleaseState } from './releases.schemas.js';

export interface ReleaseSummary {
  releaseId: string;
  imageName: string;
  version: string;
  sequence: number;
  architecture: string;
  state: ReleaseState;
  channels: string[];
  rollbackFloor: number;
  totalSizeBytes: number;
  newStoredBytes: number;
  reusedBytes: number;
  buildId: string | null;
  publishedAt: Date;
}

export interface ReleaseFileSummary {
  name: string;
  kind: string;
  sha256: string;
  lengthBytes: number;
  manifestSha256: string;
  chunkCount: number;
  storedBytes: number;
  chunking: string;
}

export interface ReleaseDetail extends ReleaseSummary {
  recipeDigest: string | null;
  compatibility: unknown;
  revokedAt: Date | null;
  revokedReason: string | null;
  files: ReleaseFileSummary[];
  document: { sha256: string; issuedAt: Date; expiresAt: Date } | null;
  pins: { holder: string; updatedAt: Date }[];
}

interface ReleaseRow {
  release_id: string;
  image_name: string;
  version: string;
  sequence: number;
  architecture: string;
  state: ReleaseState;
  channels: string[] | null;
  rollback_floor: number;
  total_size_bytes: string;
  new_stored_bytes: string;
  reused_bytes: string;
  build_id: string | null;
  published_at: Date;
  at: string;
}

const SUMMARY = `r.release_id, r.image_name, r.version, r.sequence, r.architecture, r.state, r.rollback_floor,
  r.total_size_bytes, r.new_stored_bytes, r.reused_bytes, r.build_id, r.published_at, r.published_at::text AS at,
  (SELECT array_agg(c.channel ORDER BY c.channel) FROM channel c WHERE c.release_id = r.release_id) AS channels`;

function summary(r: ReleaseRow): ReleaseSummary {
  return {
    releaseId: r.release_id,
    imageName: r.image_name,
    version: r.version,
    sequence: r.sequence,
    architecture: r.architecture,
    state: r.state,
    channels: r.channels ?? [],
    rollbackFloor: r.rollback_floor,
    totalSizeBytes: Number(r.total_size_bytes),
    newStoredBytes: Number(r.new_stored_bytes),
    reusedBytes: Number(r.reused_bytes),
    buildId: r.build_id,
    publishedAt: r.published_at,
  };
}

@Injectable()
export class ReleasesRepository {
  constructor(@Inject(DataSource) readonly ds: DataSource) {}

  /** Newest first, one page after `after`, filtered. */
  async list(query: ListReleasesQuery): Promise<{ row: ReleaseSummary; cursor: TimeCursor }[]> {
    const rows = await this.ds.query<ReleaseRow[]>(
      `SELECT ${SUMMARY} FROM release r
        WHERE ($2::timestamptz IS NULL OR (r.published_at, r.release_id) < ($2::timestamptz, $3::uuid))
          AND ($4::text IS NULL OR r.image_name = $4)
          AND ($5::text IS NULL OR r.architecture = $5)
          AND ($6::text IS NULL OR r.state = $6)
          AND ($7::text IS NULL OR EXISTS (SELECT 1 FROM channel c WHERE c.release_id = r.release_id AND c.channel = $7))
        ORDER BY r.published_at DESC, r.release_id DESC LIMIT $1`,
      [
        query.limit,
        query.after?.at ?? null,
        query.after?.id ?? null,
        query.image ?? null,
        query.architecture ?? null,
        query.state ?? null,
        query.channel ?? null,
      ],
    );
    return rows.map((r) => ({ row: summary(r), cursor: { at: r.at, id: r.release_id } }));
  }

  async detail(releaseId: string): Promise<ReleaseDetail | undefined> {
    const [row] = await this.ds.query<
      (ReleaseRow & {
        recipe_digest: string | null;
        compatibility: unknown;
        revoked_at: Date | null;
        revoked_reason: string | null;
      })[]
    >(
      `SELECT ${SUMMARY}, r.recipe_digest, r.compatibility, r.revoked_at, r.revoked_reason
         FROM release r WHERE r.release_id = $1`,
      [releaseId],
    );
    if (!row) return undefined;
    const files = await this.files(releaseId);
    const [document] = await this.ds.query<{ sha256: string; issued_at: Date; expires_at: Date }[]>(
      'SELECT sha256, issued_at, expires_at FROM release_document WHERE release_id = $1',
      [releaseId],
    );
    const pins = await this.ds.query<{ holder: string; updated_at: Date }[]>(
      'SELECT holder, updated_at FROM release_pin WHERE release_id = $1 ORDER BY holder LIMIT 100',
      [releaseId],
    );
    return {
      ...summary(row),
      recipeDigest: row.recipe_digest,
      compatibility: row.compatibility,
      revokedAt: row.revoked_at,
      revokedReason: row.revoked_reason,
      files,
      document: document
        ? { sha256: document.sha256, issuedAt: document.issued_at, expiresAt: document.expires_at }
        : null,
      pins: pins.map((p) => ({ holder: p.holder, updatedAt: p.updated_at })),
    };
  }

  async files(releaseId: string): Promise<ReleaseFileSummary[]> {
    const rows = await this.ds.query<
      {
        name: string;
        kind: string;
        sha256: string;
        length_bytes: string;
        manifest_sha256: string;
        chunk_count: number;
        stored_bytes: string;
        chunking: string;
      }[]
    >(
      `SELECT f.name, f.kind, f.sha256, f.length_bytes, f.manifest_sha256, m.chunk_count, m.stored_bytes, m.chunking
         FROM release_file f JOIN manifest m ON m.sha256 = f.manifest_sha256
        WHERE f.release_id = $1 ORDER BY f.name`,
      [releaseId],
    );
    return rows.map((f) => ({
      name: f.name,
      kind: f.kind,
      sha256: f.sha256,
      lengthBytes: Number(f.length_bytes),
      manifestSha256: f.manifest_sha256,
      chunkCount: f.chunk_count,
      storedBytes: Number(f.stored_bytes),
      chunking: f.chunking,
    }));
  }

  async state(releaseId: string): Promise<ReleaseState | undefined> {
    const [row] = await this.ds.query<{ state: ReleaseState }[]>(
      'SELECT state FROM release WHERE release_id = $1',
      [releaseId],
    );
    return row?.state;
  }

  async document(releaseId: string): Promise<{ body: Buffer; sha256: string; expiresAt: Date } | undefined> {
    const [row] = await this.ds.query<{ body: Buffer; sha256: string; expires_at: Date }[]>(
      'SELECT body, sha256, expires_at FROM release_document WHERE release_id = $1',
      [releaseId],
    );
    return row ? { body: row.body, sha256: row.sha256, expiresAt: row.expires_at } : undefined;
  }

  async channelRelease(channel: string, image: string, architecture: string): Promise<string | undefined> {
    const [row] = await this.ds.query<{ release_id: string }[]>(
      'SELECT release_id FROM channel WHERE channel = $1 AND image_name = $2 AND architecture = $3',
      [channel, image, architecture],
    );
    return row?.release_id;
  }

  async channels(): Promise<
    {
      channel: string;
      imageName: string;
      architecture: string;
      releaseId: string;
      sequence: number;
      updatedAt: Date;
    }[]
  > {
    const rows = await this.ds.query<
      {
        channel: string;
        image_name: string;
        architecture: string;
        release_id: string;
        sequence: number;
        updated_at: Date;
      }[]
    >(
      `SELECT c.channel, c.image_name, c.architecture, c.release_id, r.sequence, c.updated_at
         FROM channel c JOIN release r USING (release_id) ORDER BY c.channel, c.image_name, c.architecture`,
    );
    return rows.map((r) => ({
      channel: r.channel,
      imageName: r.image_name,
      architecture: r.architecture,
      releaseId: r.release_id,
      sequence: r.sequence,
      updatedAt: r.updated_at,
    }));
  }

  inTransaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.ds.transaction(work);
  }
}
