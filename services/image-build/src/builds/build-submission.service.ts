import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { BuildQueue } from './build-queue.provider.js';
import { BuildSubmissionsRepository } from './build-submissions.repository.js';
import { checkBundle, type BundleProblem } from './bundle-check.js';
import type { BuildState, SubmitBuildBody } from './builds.schemas.js';
import { QueueSync } from './queue-sync.js';

/** The submitted bundle is wrong: each problem names a field of the body. */
export class BundleRejectedError extends Error {
  override readonly name = 'BundleRejectedError';
  constructor(readonly problems: readonly BundleProblem[]) {
    super(problems.map((p) => `${p.name} ${p.reason}`).join('; '));
  }
}

export type CancelOutcome =
  { kind: 'missing' } | { kind: 'terminal'; state: BuildState } | { kind: 'accepted'; state: BuildState };

/** Submitting and cancelling builds. */
@Injectable()
export class BuildSubmission {
  private readonly logger = new Logger('BuildSubmission');

  constructor(
    @Inject(BuildSubmissionsRepository) private readonly repo: BuildSubmissionsRepository,
    @Inject(BuildQueue) private readonly queue: BuildQueue,
    @Inject(QueueSync) private readonly sync: QueueSync,
  ) {}

  /**
   * Checks the bundle beyond its schema (blobs, digest, the package set it builds from), then
   * stores the build queued with the intent to enqueue it; the relay is woken to do so at once.
   */
  async submit(body: SubmitBuildBody): Promise<{ buildId: string; recipeDigest: string; state: 'queued' }> {
    const checked = checkBundle(body.bundle);
    if (Array.isArray(checked)) throw new BundleRejectedError(checked);
    const packageSet = body.bundle.recipe.packageSet;
    if (packageSet !== undefined && !(await this.repo.succeeded(packageSet))) {
      throw new BundleRejectedError([
        { name: 'bundle.recipe.packageSet', reason: `names no build that succeeded (${packageSet})` },
      ]);
    }
    const buildId = randomUUID();
    await this.repo.submit({
      buildId,
      recipeDigest: checked.recipeDigest,
      recipe: body.bundle.recipe,
      blobs: checked.blobs,
      priority: body.priority,
      cache: body.cache,
    });
    this.sync.kick();
    return { buildId, recipeDigest: checked.recipeDigest, state: 'queued' };
  }

  /**
   * Marks the build `cancelling`; if no worker holds its job (it waits in the queue), the job is
   * removed and the build is `cancelled` at once. Otherwise the worker running it sees the mark
   * within a second, stops the build and marks it `cancelled`.
   */
  async cancel(buildId: string): Promise<CancelOutcome> {
    const start = await this.repo.startCancel(buildId);
    if (start.kind !== 'cancelling') return start;
    try {
      if (await this.queue.remove(buildId)) await this.repo.finishCancel(buildId);
    } catch (err) {
      // Redis is away: the build stays `cancelling`, which a worker honours before it starts it.
      this.logger.warn(`could not remove build ${buildId} from the queue: ${(err as Error).message}`);
    }
    return { kind: 'accepted', state: (await this.repo.stateOf(buildId)) ?? 'cancelling' };
  }
}
