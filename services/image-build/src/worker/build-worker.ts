import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { createJobWorker, type JobWorker, type RedisConnection } from '@muster/jobs';
import { buildJob } from '../builds/build-job.js';
import { BUILD_QUEUE_CONNECTION } from '../builds/build-queue.provider.js';
import { BuildTransitionsRepository } from '../builds/build-transitions.repository.js';
import { BUILD_SETTINGS, type BuildSettings } from '../build.config.js';
import { BuildRunner } from './build-runner.js';
import { ensureWorkRoot, removeLeftoverWorkDirs } from './work-dirs.js';

/**
 * The build worker of this instance (unless MUSTER_BUILD_WORKER=off). At start it removes the
 * work directories a killed predecessor left, then takes jobs. On SIGTERM it takes no more and
 * waits for the builds it runs to finish — never kills one (the pod's grace period must cover
 * the longest build). A job that fails for good without its handler saying so (its worker died
 * once too often) is recorded as a failed build here, by whichever worker moves it.
 */
@Injectable()
export class BuildWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('BuildWorker');
  private worker: JobWorker | undefined;

  constructor(
    @Inject(BUILD_QUEUE_CONNECTION) private readonly connection: RedisConnection,
    @Inject(BUILD_SETTINGS) private readonly settings: BuildSettings,
    @Inject(BuildRunner) private readonly runner: BuildRunner,
    @Inject(BuildTransitionsRepository) private readonly transitions: BuildTransitionsRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.settings.worker) return;
    await ensureWorkRoot(this.settings.workDir);
    try {
      const removed = await removeLeftoverWorkDirs(this.settings.workDir, this.settings.user);
      if (removed.length > 0) this.logger.log(`removed the work directories of ${removed.join(', ')}`);
    } catch (err) {
      this.logger.warn(`could not remove leftover work directories: ${(err as Error).message}`);
    }
    const lockMs = this.settings.lockSeconds * 1000;
    this.worker = createJobWorker(
      this.connection,
      buildJob,
      (payload, ctx) => this.runner.run(payload.buildId, ctx),
      {
        concurrency: this.settings.concurrency,
        lockDurationMs: lockMs,
        stalledIntervalMs: lockMs,
        maxStalledCount: 1,
        onFailed: ({ jobId, willRetry, error }) => {
          if (willRetry) return;
          this.transitions
            .fail(jobId, error.message, false)
            .catch((err: unknown) =>
              this.logger.warn(`could not record that build ${jobId} failed: ${(err as Error).message}`),
            );
        },
        onError: (err) => this.logger.warn(`build queue: ${err.message}`),
      },
    );
    this.logger.log(
      `taking builds (${this.settings.concurrency} at once) in ${this.settings.workDir}` +
        (this.settings.user ? `, tools run as ${this.settings.user}` : ''),
    );
  }

  /** Takes no more builds and waits for those running to end (BullMQ keeps their locks meanwhile). */
  async beforeApplicationShutdown(): Promise<void> {
    if (!this.worker) return;
    this.logger.log('stopping: waiting for the running builds to finish');
    await this.worker.close();
  }
}
