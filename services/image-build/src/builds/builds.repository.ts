import { Inject, Injectable } from '@nestjs/common';
import type { TimeCursor } from '@muster/runtime';
import { DataSource } from 'typeorm';
import type { StoredOutput } from './build-events.js';
import { isDigest, type BuildState } from './builds.schemas.js';

export interface BuildSummary {
  buildId: string;
  recipeName: string;
  recipeVersion?: string;
  recipeDigest: string;
  architecture?: string;
  state: BuildState;
  phase: string | null;
  percent: number;
  attempt: number;
  createdAt: Date;
  startedAt?: Date;
  finishedAt?: Date;
}

export interface BuildDetail extends BuildSummary {
  phaseMessage?: string;
  error?: string;
  retryable?: boolean;
  outputs: StoredOutput[];
  packageCount: number;
  /** Whether the base layer came from the cache (`hit`) or was built (`miss`). */
  layerCache?: 'hit' | 'miss';
}

/** A package a build installed, as the API lists it (its Packages stanza left out). */
export interface PackageSummary {
  name: string;
  version: string;
  architecture: string;
  source: string;
  sourceVersion: string;
  sha256: string;
  sizeBytes: number;
}

interface BuildRow {
  build_id: string;
  name: string;
  version: string | null;
  architecture: string | null;
  recipe_digest: string;
  state: BuildState;
  phase: string | null;
  percent: number;
  attempt: number;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  at: string;
}

interface DetailRow extends BuildRow {
  phase_message: string | null;
  error: string | null;
  retryable: boolean | null;
  outputs: StoredOutput[];
  package_count: number;
  layer_cache: 'hit' | 'miss' | null;
}

const COLUMNS = `b.build_id, r.name, r.body->>'version' AS version, r.body->>'architecture' AS architecture,
  b.recipe_digest, b.state, b.phase, b.percent, b.attempt, b.created_at, b.started_at, b.finished_at,
  b.created_at::text AS at`;

function summary(r: BuildRow): BuildSummary {
  return {
    buildId: r.build_id,
    recipeName: r.name,
    ...(r.version === null ? {} : { recipeVersion: r.version }),
    recipeDigest: r.recipe_digest,
    ...(r.architecture === null ? {} : { architecture: r.architecture }),
    state: r.state,
    phase: r.phase,
    percent: r.percent,
    attempt: r.attempt,
    createdAt: r.created_at,
    ...(r.started_at ? { startedAt: r.started_at } : {}),
    ...(r.finished_at ? { finishedAt: r.finished_at } : {}),
  };
}

/** What the read routes show of builds. */
@Injectable()
export class BuildsRepository {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}

  /** Newest first, one page after `after`; `recipe` is a name or a digest. */
  async list(filter: {
    limit: number;
    after?: TimeCursor | undefined;
    state?: BuildState | undefined;
    recipe?: string | undefined;
  }): Promise<{ row: BuildSummary; cursor: TimeCursor }[]> {
    const byDigest = filter.recipe !== undefined && isDigest(filter.recipe);
    const rows = await this.ds.query<BuildRow[]>(
      `SELECT ${COLUMNS}
         FROM build b JOIN recipe r ON r.digest = b.recipe_digest
        WHERE ($2::timestamptz IS NULL OR (b.created_at, b.build_id) < ($2::timestamptz, $3::uuid))
          AND ($4::text IS NULL OR b.state = $4)
          AND ($5::text IS NULL OR b.recipe_digest = $5)
          AND ($6::text IS NULL OR r.name = $6)
        ORDER BY b.created_at DESC, b.build_id DESC LIMIT $1`,
      [
        filter.limit,
        filter.after?.at ?? null,
        filter.after?.id ?? null,
        filter.state ?? null,
        byDigest ? filter.recipe : null,
        byDigest ? null : (filter.recipe ?? null),
      ],
    );
    return rows.map((r) => ({ row: summary(r), cursor: { at: r.at, id: r.build_id } }));
  }

  async detail(buildId: string): Promise<BuildDetail | undefined> {
    const [r] = await this.ds.query<DetailRow[]>(
      `SELECT ${COLUMNS}, b.phase_message, b.error, b.retryable, b.outputs, b.package_count, b.layer_cache
         FROM build b JOIN recipe r ON r.digest = b.recipe_digest WHERE b.build_id = $1`,
      [buildId],
    );
    if (!r) return undefined;
    return {
      ...summary(r),
      ...(r.phase_message === null ? {} : { phaseMessage: r.phase_message }),
      ...(r.error === null ? {} : { error: r.error }),
      ...(r.retryable === null ? {} : { retryable: r.retryable }),
      outputs: r.outputs,
      packageCount: r.package_count,
      ...(r.layer_cache === null ? {} : { layerCache: r.layer_cache }),
    };
  }

  /** The build's provenance or SBOM document; `exists: false` when there is no such build. */
  async document(
    buildId: string,
    which: 'provenance' | 'sbom',
  ): Promise<{ exists: boolean; document?: Record<string, unknown> }> {
    const column = which === 'provenance' ? 'provenance' : 'sbom';
    const [row] = await this.ds.query<{ doc: Record<string, unknown> | null }[]>(
      `SELECT ${column} AS doc FROM build WHERE build_id = $1`,
      [buildId],
    );
    if (!row) return { exists: false };
    return row.doc === null ? { exists: true } : { exists: true, document: row.doc };
  }

  /** The packages a build installed, by name; undefined when there is no such build. */
  async packages(buildId: string): Promise<PackageSummary[] | undefined> {
    const [build] = await this.ds.query<unknown[]>('SELECT 1 FROM build WHERE build_id = $1', [buildId]);
    if (!build) return undefined;
    const rows = await this.ds.query<
      {
        name: string;
        version: string;
        architecture: string;
        source: string;
        source_version: string;
        sha256: string;
        size_bytes: string;
      }[]
    >(
      `SELECT name, version, architecture, source, source_version, sha256, size_bytes
         FROM build_package WHERE build_id = $1 ORDER BY name, architecture`,
      [buildId],
    );
    return rows.map((r) => ({
      name: r.name,
      version: r.version,
      architecture: r.architecture,
      source: r.source,
      sourceVersion: r.source_version,
      sha256: r.sha256,
      sizeBytes: Number(r.size_bytes),
    }));
  }
}
