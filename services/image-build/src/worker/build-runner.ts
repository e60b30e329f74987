import { hostname } from 'node:os';
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  BuildCancelledError,
  BuildFailedError,
  buildImage,
  checkFreeSpace,
  type BuildImageResult,
  type BuildPhaseName,
  type PackageSource,
} from '@muster/image-builder';
import { UnrecoverableJobError, type JobContext } from '@muster/jobs';
import type { StoredOutput } from '../builds/build-events.js';
import { BuildLogRepository } from '../builds/build-log.repository.js';
import {
  BuildTransitionsRepository,
  type StartedBuild,
  type Success,
} from '../builds/build-transitions.repository.js';
import type { BuildState } from '../builds/builds.schemas.js';
import { recipeBlobs } from '../builds/bundle-check.js';
import { BUILD_SETTINGS, type BuildSettings } from '../build.config.js';
import { BuildBucket } from '../storage/build-bucket.provider.js';
import { buildObjectKey, PROVENANCE_FILE, SBOM_FILE } from '../storage/object-keys.js';
import { BuildInputsRepository } from './build-inputs.repository.js';
import { BuildLogSink } from './build-log-sink.js';
import { fetchKeptDeb, keepDeb, putJson, uploadVerified } from './build-storage.js';
import { ProgressReporter } from './progress-reporter.js';
import { removeWorkDir, workDirOf } from './work-dirs.js';

/** How often a running build looks for a cancel. */
const CANCEL_POLL_MS = 1_000;

/** Everything one try of a build uses while it runs. */
interface Attempt {
  build: StartedBuild;
  workDir: string;
  signal: AbortSignal;
  log: BuildLogSink;
  progress: ProgressReporter;
  /** Keys stored under builds/<id>/ so far (removed again if the build does not succeed). */
  stored: string[];
}

/**
 * Runs one try of a build (the BullMQ job's handler): takes the build (running), builds it,
 * stores its outputs, packages, provenance and SBOM, and records the outcome. A retryable
 * failure with tries left rethrows (BullMQ tries again after its backoff); any other failure
 * marks the build failed and fails the job for good. A cancel seen while it runs aborts the
 * builder, which removes the work directory; the build ends cancelled.
 */
@Injectable()
export class BuildRunner {
  private readonly logger = new Logger('BuildRunner');
  readonly workerName = `${hostname()}:${process.pid}`;

  constructor(
    @Inject(BUILD_SETTINGS) private readonly settings: BuildSettings,
    @Inject(BuildTransitionsRepository) private readonly transitions: BuildTransitionsRepository,
    @Inject(BuildLogRepository) private readonly logs: BuildLogRepository,
    @Inject(BuildInputsRepository) private readonly inputs: BuildInputsRepository,
    @Inject(BuildBucket) private readonly bucket: BuildBucket,
  ) {}

  async run(buildId: string, job: JobContext): Promise<{ state: BuildState | 'missing' }> {
    const begun = await this.transitions.begin(buildId, this.workerName);
    if (begun.kind === 'skip') return { state: begun.state };
    const warn = (what: string) => (err: unknown) =>
      this.logger.warn(`build ${buildId}: ${what}: ${err instanceof Error ? err.message : String(err)}`);
    const log = new BuildLogSink(
      (lines) => this.logs.append(buildId, lines),
      await this.logs.lastSeq(buildId),
      warn('log'),
    );
    const progress = new ProgressReporter(
      (phase, percent, message) => this.transitions.progress(buildId, phase, percent, message),
      warn('progress'),
    );
    const abort = new AbortController();
    let cancelled = false;
    const stopWatching = this.watchCancel(buildId, () => {
      cancelled = true;
      abort.abort(new BuildCancelledError('cancelled by request'));
    });
    const onJobAbort = () => abort.abort(new BuildCancelledError('the worker is stopping'));
    job.signal.addEventListener('abort', onJobAbort, { once: true });
    const attempt: Attempt = {
      build: begun.build,
      workDir: workDirOf(this.settings.workDir, buildId),
      signal: abort.signal,
      log,
      progress,
      stored: [],
    };
    log.add(`== attempt ${begun.build.attempt} of build ${buildId} on ${this.workerName}`);
    let phase: BuildPhaseName = 'preparing';
    try {
      const success = await this.execute(attempt, (p) => (phase = p));
      await this.finishLogs(attempt);
      await this.transitions.succeed(buildId, success);
      return { state: 'succeeded' };
    } catch (err) {
      await this.cleanUp(attempt);
      if (cancelled) {
        log.add('== cancelled by request');
        await this.finishLogs(attempt);
        await this.transitions.cancelled(buildId);
        return { state: 'cancelled' };
      }
      const failure =
        err instanceof BuildFailedError
          ? err
          : new BuildFailedError(phase, err instanceof Error ? err.message : String(err), true);
      const last = !failure.retryable || job.attempt >= job.maxAttempts;
      log.add(`== failed in ${failure.phase}: ${failure.message}${last ? '' : ' (it will be tried again)'}`);
      await this.finishLogs(attempt);
      if (last) {
        const state = await this.transitions.fail(buildId, failure.message, failure.retryable, failure.phase);
        if (state === 'cancelled') return { state };
        throw new UnrecoverableJobError(failure.message);
      }
      const waits = await this.transitions.retryLater(
        buildId,
        `attempt ${begun.build.attempt} failed in ${failure.phase}: ${failure.message}`,
      );
      if (!waits) return { state: 'cancelled' };
      throw failure;
    } finally {
      stopWatching();
      job.signal.removeEventListener('abort', onJobAbort);
    }
  }

  /** The build itself, then what it made stored; the work directory is removed once stored. */
  private async execute(a: Attempt, onPhase: (phase: BuildPhaseName) => void): Promise<Success> {
    const { build, log, progress } = a;
    await removeWorkDir(a.workDir, this.settings.user); // an earlier try's, if this worker ran it
    await checkFreeSpace(this.settings.workDir, this.settings.minFreeBytes);
    const blobs = await this.inputs.blobs(recipeBlobs(build.recipe));
    const result = await buildImage({
      buildId: build.buildId,
      recipe: build.recipe,
      blob: (sha) => {
        const bytes = blobs.get(sha);
        if (!bytes) throw new BuildFailedError('preparing', `blob ${sha} of the recipe is not stored`, false);
        return bytes;
      },
      recipeDigest: build.recipeDigest,
      workDir: a.workDir,
      cacheDir: this.settings.cacheDir,
      packageSource: await this.packageSource(build),
      cache: build.cache,
      sourceDateEpoch: this.settings.sourceDateEpoch,
      ...(this.settings.user === undefined ? {} : { buildUser: this.settings.user }),
      signal: a.signal,
      onLog: (line) => log.add(line),
      onPhase: (phase, percent, message) => {
        onPhase(phase);
        progress.report(phase, percent, message);
      },
    });
    onPhase('uploading');
    progress.report('uploading', 90, 'storing the outputs');
    const success = await this.store(a, result);
    await removeWorkDir(a.workDir, this.settings.user);
    return success;
  }

  private async packageSource(build: StartedBuild): Promise<PackageSource> {
    const from = build.recipe.packageSet;
    if (from === undefined) return { kind: 'mirror' };
    const packages = await this.inputs.keptPackages(from);
    if (!packages || packages.length === 0) {
      throw new BuildFailedError('preparing', `build ${from} kept no package set to build from`, false);
    }
    const { store, name } = this.bucket;
    return {
      kind: 'kept',
      fromBuild: from,
      packages,
      fetchDeb: (record, dest) => fetchKeptDeb(store, name, record, dest),
    };
  }

  /** Outputs (checked against the builder's SHA-256 as they go), kept .debs, provenance, SBOM. */
  private async store(a: Attempt, result: BuildImageResult): Promise<Success> {
    const { store, name: bucket } = this.bucket;
    const { buildId } = a.build;
    const outputs: StoredOutput[] = [];
    for (const o of result.outputs) {
      this.throwIfCancelled(a.signal);
      const objectKey = buildObjectKey(buildId, o.fileName);
      a.stored.push(objectKey);
      const sizeBytes = await uploadVerified(store, bucket, objectKey, o.path, o.sha256);
      outputs.push({ kind: o.kind, fileName: o.fileName, objectKey, sha256: o.sha256, sizeBytes });
      a.log.add(`stored ${objectKey} (${sizeBytes} bytes, sha256 ${o.sha256})`);
    }
    let added = 0;
    for (const deb of result.debs) {
      this.throwIfCancelled(a.signal);
      if ((await keepDeb(store, bucket, deb.record, deb.path)) === 'stored') added++;
    }
    a.log.add(`kept ${result.debs.length} packages (${added} not kept before)`);
    for (const [file, doc] of [
      [PROVENANCE_FILE, result.provenance],
      [SBOM_FILE, result.sbom],
    ] as const) {
      const key = buildObjectKey(buildId, file);
      a.stored.push(key);
      await putJson(store, bucket, key, doc);
    }
    return {
      outputs,
      packages: result.debs.map((d) => d.record),
      layerCache: result.provenance.baseLayer?.cache ?? null,
      provenance: result.provenance as unknown as Record<string, unknown>,
      sbom: result.sbom,
    };
  }

  private throwIfCancelled(signal: AbortSignal): void {
    if (signal.aborted) throw new BuildCancelledError('cancelled by request');
  }

  /** The work directory and anything stored under builds/<id>/ go when a build does not succeed. */
  private async cleanUp(a: Attempt): Promise<void> {
    await removeWorkDir(a.workDir, this.settings.user).catch((err: unknown) =>
      this.logger.warn(`build ${a.build.buildId}: could not remove ${a.workDir}: ${(err as Error).message}`),
    );
    if (a.stored.length > 0) {
      await this.bucket.store
        .deleteMany(this.bucket.name, a.stored)
        .catch((err: unknown) =>
          this.logger.warn(
            `build ${a.build.buildId}: could not remove its objects: ${(err as Error).message}`,
          ),
        );
    }
  }

  private async finishLogs(a: Attempt): Promise<void> {
    await a.progress.close();
    await a.log.flush();
  }

  /** Polls the build's row for a cancel; returns the function that stops polling. */
  private watchCancel(buildId: string, onCancel: () => void): () => void {
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      this.transitions
        .isCancelling(buildId)
        .then((yes) => {
          if (yes) {
            clearInterval(timer);
            onCancel();
          }
        })
        .catch(() => undefined)
        .finally(() => (busy = false));
    }, CANCEL_POLL_MS);
    return () => clearInterval(timer);
  }
}
