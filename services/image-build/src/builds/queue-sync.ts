import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { PollLoop } from '../poll-loop.js';
import { BuildQueue } from './build-queue.provider.js';
import { BuildSubmissionsRepository } from './build-submissions.repository.js';
import { BuildTransitionsRepository } from './build-transitions.repository.js';
import { reconcileAction } from './queue-reconcile.js';
import { QueueSyncRepository } from './queue-sync.repository.js';

const RELAY_EVERY_MS = 1_000;
const RELAY_BATCH = 100;
const RECONCILE_EVERY_MS = 60_000;
const RECONCILE_RETRY_MS = 5_000;

/**
 * Keeps the queue in step with the database, on every instance (each step is idempotent: the
 * job id is the build id, and each state change is conditional):
 * - the relay turns each pending enqueue (written with its build) into a BullMQ job, so a crash
 *   between the commit and Redis loses no build;
 * - at start and every minute, every unfinished build is checked against its job
 *   (`reconcileAction`): a queued build without a job is enqueued, a build whose job failed for
 *   good (a worker that died twice, or died as the last try ended) is marked failed.
 */
@Injectable()
export class QueueSync implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('BuildQueueSync');
  private readonly relayLoop: PollLoop;
  private readonly reconcileLoop: PollLoop;

  constructor(
    @Inject(QueueSyncRepository) private readonly repo: QueueSyncRepository,
    @Inject(BuildQueue) private readonly queue: BuildQueue,
    @Inject(BuildTransitionsRepository) private readonly transitions: BuildTransitionsRepository,
    @Inject(BuildSubmissionsRepository) private readonly submissions: BuildSubmissionsRepository,
  ) {
    const warn = (what: string) => (err: unknown) =>
      this.logger.warn(`${what} failed: ${err instanceof Error ? err.message : String(err)}`);
    this.relayLoop = new PollLoop(() => this.relayOnce(), RELAY_EVERY_MS, warn('enqueue relay'));
    this.reconcileLoop = new PollLoop(
      () => this.reconcileOnce(),
      RECONCILE_EVERY_MS,
      warn('reconcile'),
      RECONCILE_RETRY_MS,
    );
  }

  onApplicationBootstrap(): void {
    this.relayLoop.start();
    this.reconcileLoop.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([this.relayLoop.stop(), this.reconcileLoop.stop()]);
  }

  /** Relay now rather than at the next round: call after a commit that added an enqueue. */
  kick(): void {
    this.relayLoop.kick();
  }

  private async relayOnce(): Promise<void> {
    for (;;) {
      const { enqueued, error } = await this.repo.relay(RELAY_BATCH, (p) =>
        this.queue.enqueue(p.buildId, p.recipeDigest, p.priority),
      );
      if (error) throw error;
      if (enqueued < RELAY_BATCH) return;
    }
  }

  private async reconcileOnce(): Promise<void> {
    for (const build of await this.repo.unfinished()) {
      const job = await this.queue.inspect(build.buildId);
      const action = reconcileAction(build.state, job?.state);
      if (action === 'enqueue') {
        await this.queue.enqueue(build.buildId, build.recipeDigest, build.priority);
      } else if (action === 'cancel') {
        await this.submissions.finishCancel(build.buildId);
      } else if (action === 'fail') {
        const reason = job?.failedReason ?? `its job ${job?.state ?? 'vanished'} without finishing it`;
        const state = await this.transitions.fail(build.buildId, reason, false);
        if (state === 'failed') this.logger.warn(`build ${build.buildId} failed: ${reason}`);
      }
    }
  }
}
