import { Inject, Injectable } from '@nestjs/common';
import type { BundledRecipe } from '@muster/recipes';
import { contracts } from '@muster/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import { Outbox, OutboxRelay, updatedRows } from '@muster/persistence';
import { completedEvent, failedEvent, progressEvent, type StoredOutput } from './build-events.js';
import type { BuildState } from './builds.schemas.js';

/** What a worker needs to run a build it has started. */
export interface StartedBuild {
  buildId: string;
  recipeDigest: string;
  recipe: BundledRecipe;
  cache: 'use' | 'refresh';
  /** 1 on the first start; a retry and a restart after a stall each add one. */
  attempt: number;
  startedAt: Date;
}

export type BeginResult =
  | { kind: 'run'; build: StartedBuild }
  /** Nothing to do: no such build, or it already ended (or was cancelled before it started). */
  | { kind: 'skip'; state: BuildState | 'missing' };

/** A kept package as stored with the build that installed it. */
export interface PackageRow {
  name: string;
  version: string;
  architecture: string;
  source: string;
  sourceVersion: string;
  sha256: string;
  sizeBytes: number;
  stanza: string;
}

export interface Success {
  outputs: StoredOutput[];
  packages: readonly PackageRow[];
  layerCache: 'hit' | 'miss' | null;
  provenance: Record<string, unknown>;
  sbom: Record<string, unknown>;
}

interface Locked {
  state: BuildState;
  name: string;
  phase: string | null;
  revision: string;
}

/**
 * Every change of a build's state after submission. Each one that another service hears about
 * (progress, completion, failure) raises the build's revision and adds its event to the outbox
 * in the same transaction; a change that finds the build already past it does nothing.
 */
@Injectable()
export class BuildTransitionsRepository {
  constructor(
    @Inject(DataSource) private readonly ds: DataSource,
    @Inject(Outbox) private readonly outbox: Outbox,
    @Inject(OutboxRelay) private readonly relay: OutboxRelay,
  ) {}

  /**
   * A worker takes the build: queued (or running, after a retry or a dead worker) becomes
   * running with one more attempt; a build being cancelled becomes cancelled instead.
   */
  async begin(buildId: string, worker: string): Promise<BeginResult> {
    const result = await this.ds.transaction(async (tx): Promise<BeginResult> => {
      const [row] = await tx.query<
        (Locked & { recipe_digest: string; body: BundledRecipe; cache: 'use' | 'refresh' })[]
      >(
        `SELECT b.state, r.name, b.phase, b.revision, b.recipe_digest, r.body, b.cache
           FROM build b JOIN recipe r ON r.digest = b.recipe_digest
          WHERE b.build_id = $1 FOR UPDATE OF b`,
        [buildId],
      );
      if (!row) return { kind: 'skip', state: 'missing' };
      if (row.state === 'cancelling') {
        await this.setCancelled(tx, buildId);
        return { kind: 'skip', state: 'cancelled' };
      }
      if (row.state !== 'queued' && row.state !== 'running') return { kind: 'skip', state: row.state };
      const [started] = updatedRows<{ attempt: number; started_at: Date; revision: string }>(
        await tx.query(
          `UPDATE build SET state = 'running', attempt = attempt + 1, started_at = coalesce(started_at, now()),
                  phase = 'preparing', percent = 0, phase_message = $2, error = NULL, retryable = NULL,
                  worker = $3, revision = revision + 1, updated_at = now()
            WHERE build_id = $1 RETURNING attempt, started_at, revision`,
          [buildId, 'starting', worker],
        ),
      );
      await this.outbox.add(
        tx,
        contracts.imageBuildProgress,
        { buildId },
        progressEvent({
          buildId,
          recipeName: row.name,
          phase: 'preparing',
          percent: 0,
          message: `attempt ${started!.attempt} started`,
          revision: BigInt(started!.revision),
        }),
        { about: buildId },
      );
      return {
        kind: 'run',
        build: {
          buildId,
          recipeDigest: row.recipe_digest,
          recipe: row.body,
          cache: row.cache,
          attempt: started!.attempt,
          startedAt: started!.started_at,
        },
      };
    });
    this.relay.kick();
    return result;
  }

  /** The build moved on (a running build only); false when it is no longer running. */
  async progress(buildId: string, phase: string, percent: number, message: string): Promise<boolean> {
    const sent = await this.ds.transaction(async (tx) => {
      const [row] = updatedRows<{ name: string; revision: string }>(
        await tx.query(
          `UPDATE build b SET phase = $2, percent = $3, phase_message = $4, revision = revision + 1,
                  updated_at = now()
             FROM recipe r
            WHERE b.build_id = $1 AND b.state = 'running' AND r.digest = b.recipe_digest
            RETURNING r.name, b.revision`,
          [buildId, phase, Math.round(percent), message],
        ),
      );
      if (!row) return false;
      await this.outbox.add(
        tx,
        contracts.imageBuildProgress,
        { buildId },
        progressEvent({
          buildId,
          recipeName: row.name,
          phase,
          percent,
          message,
          revision: BigInt(row.revision),
        }),
        { about: buildId },
      );
      return true;
    });
    if (sent) this.relay.kick();
    return sent;
  }

  /** Outputs, packages and documents are stored: the build succeeded (a late cancel loses). */
  async succeed(buildId: string, s: Success): Promise<boolean> {
    const done = await this.ds.transaction(async (tx) => {
      const [row] = await tx.query<
        (Locked & { recipe_digest: string; architecture: string; started_at: Date })[]
      >(
        `SELECT b.state, r.name, b.phase, b.revision, b.recipe_digest, r.body->>'architecture' AS architecture,
                b.started_at
           FROM build b JOIN recipe r ON r.digest = b.recipe_digest WHERE b.build_id = $1 FOR UPDATE OF b`,
        [buildId],
      );
      if (!row || (row.state !== 'running' && row.state !== 'cancelling')) return false;
      await tx.query('DELETE FROM build_package WHERE build_id = $1', [buildId]);
      if (s.packages.length > 0) {
        const p = s.packages;
        await tx.query(
          `INSERT INTO build_package (build_id, name, version, architecture, source, source_version, sha256,
                                      size_bytes, stanza)
           SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                                    $8::bigint[], $9::text[])`,
          [
            buildId,
            p.map((x) => x.name),
            p.map((x) => x.version),
            p.map((x) => x.architecture),
            p.map((x) => x.source),
            p.map((x) => x.sourceVersion),
            p.map((x) => x.sha256),
            p.map((x) => x.sizeBytes),
            p.map((x) => x.stanza),
          ],
        );
      }
      const finishedAt = new Date();
      const revision = BigInt(row.revision) + 1n;
      await tx.query(
        `UPDATE build SET state = 'succeeded', phase = 'uploading', percent = 100, phase_message = 'done',
                outputs = $2, package_count = $3, layer_cache = $4, provenance = $5, sbom = $6,
                finished_at = $7, revision = $8, updated_at = now()
          WHERE build_id = $1`,
        [
          buildId,
          JSON.stringify(s.outputs),
          s.packages.length,
          s.layerCache,
          JSON.stringify(s.provenance),
          JSON.stringify(s.sbom),
          finishedAt,
          revision.toString(),
        ],
      );
      await this.outbox.add(
        tx,
        contracts.imageBuildCompleted,
        { buildId },
        completedEvent({
          buildId,
          recipeName: row.name,
          recipeDigest: row.recipe_digest,
          architecture: row.architecture,
          outputs: s.outputs,
          startedAt: row.started_at,
          finishedAt,
          revision,
        }),
        { about: buildId },
      );
      return true;
    });
    if (done) this.relay.kick();
    return done;
  }

  /**
   * This try failed and another will follow: the build waits in the queue again, the error kept.
   * A build being cancelled is cancelled instead (false: do not retry).
   */
  async retryLater(buildId: string, error: string): Promise<boolean> {
    return this.ds.transaction(async (tx) => {
      const [row] = await tx.query<Locked[]>(`SELECT state FROM build WHERE build_id = $1 FOR UPDATE`, [
        buildId,
      ]);
      if (row?.state === 'cancelling') {
        await this.setCancelled(tx, buildId);
        return false;
      }
      if (row?.state !== 'running') return false;
      await tx.query(
        `UPDATE build SET state = 'queued', phase = 'queued', percent = 0, phase_message = 'waiting to retry',
                error = $2, retryable = true, updated_at = now()
          WHERE build_id = $1`,
        [buildId, error],
      );
      return true;
    });
  }

  /**
   * The build failed for good (`ImageBuildFailed`); one being cancelled is cancelled instead.
   * Nothing happens to a build that already ended. `phase`: where it failed, else its last one.
   */
  async fail(
    buildId: string,
    error: string,
    retryable: boolean,
    phase?: string,
  ): Promise<BuildState | undefined> {
    const state = await this.ds.transaction(async (tx): Promise<BuildState | undefined> => {
      const [row] = await tx.query<Locked[]>(
        `SELECT b.state, r.name, b.phase, b.revision
           FROM build b JOIN recipe r ON r.digest = b.recipe_digest WHERE b.build_id = $1 FOR UPDATE OF b`,
        [buildId],
      );
      if (!row) return undefined;
      if (row.state === 'cancelling') {
        await this.setCancelled(tx, buildId);
        return 'cancelled';
      }
      if (row.state !== 'queued' && row.state !== 'running') return row.state;
      const failedAt = new Date();
      const revision = BigInt(row.revision) + 1n;
      const where = phase ?? row.phase;
      await tx.query(
        `UPDATE build SET state = 'failed', phase = $2, error = $3, retryable = $4, finished_at = $5,
                revision = $6, updated_at = now()
          WHERE build_id = $1`,
        [buildId, where, error, retryable, failedAt, revision.toString()],
      );
      await this.outbox.add(
        tx,
        contracts.imageBuildFailed,
        { buildId },
        failedEvent({ buildId, recipeName: row.name, phase: where, error, retryable, failedAt, revision }),
        { about: buildId },
      );
      return 'failed';
    });
    if (state === 'failed') this.relay.kick();
    return state;
  }

  /** The build stopped on its cancel: nothing of it is kept. */
  async cancelled(buildId: string): Promise<void> {
    await this.ds.transaction((tx) => this.setCancelled(tx, buildId));
  }

  /** Whether a cancel has been asked for (the worker polls this while it builds). */
  async isCancelling(buildId: string): Promise<boolean> {
    const [row] = await this.ds.query<{ state: BuildState }[]>(
      'SELECT state FROM build WHERE build_id = $1',
      [buildId],
    );
    return row?.state === 'cancelling' || row?.state === 'cancelled';
  }

  private async setCancelled(tx: EntityManager, buildId: string): Promise<void> {
    await tx.query(
      `UPDATE build SET state = 'cancelled', finished_at = now(), updated_at = now()
        WHERE build_id = $1 AND state IN ('queued', 'running', 'cancelling')`,
      [buildId],
    );
  }
}
