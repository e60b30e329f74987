import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import {
  createJobQueue,
  type JobCounts,
  type JobQueue,
  type JobSnapshot,
  type RedisConnection,
} from '@muster/jobs';
import { ReadinessRegistry } from '@muster/observability';
import { buildJob } from './build-job.js';

/**
 * Where the build queue lives: the Redis URL and a key prefix of the service's database schema
 * (`muster-image_build`), so that two deployments (or test runs) sharing a Redis never take
 * each other's builds.
 */
export const BUILD_QUEUE_CONNECTION = Symbol('BUILD_QUEUE_CONNECTION');

export const buildQueueConnection = (redisUrl: string, schema: string): RedisConnection => ({
  url: redisUrl,
  prefix: `muster-${schema}`,
});

/** The producer side of the build queue; ready only while Redis answers. */
@Injectable()
export class BuildQueue implements OnModuleInit, OnApplicationShutdown {
  private readonly queue: JobQueue<{ buildId: string; recipeDigest: string }>;

  constructor(
    @Inject(BUILD_QUEUE_CONNECTION) connection: RedisConnection,
    @Inject(ReadinessRegistry) private readonly readiness: ReadinessRegistry,
  ) {
    this.queue = createJobQueue(connection, buildJob);
  }

  onModuleInit(): void {
    this.readiness.register('redis', () => this.queue.isReady());
  }

  /** Idempotent: the job id is the build id. */
  async enqueue(buildId: string, recipeDigest: string, priority: number): Promise<void> {
    await this.queue.enqueue({ buildId, recipeDigest }, { jobId: buildId, priority });
  }

  /** True once the build's job is gone from the queue; false while a worker runs it. */
  remove(buildId: string): Promise<boolean> {
    return this.queue.remove(buildId);
  }

  inspect(buildId: string): Promise<JobSnapshot | undefined> {
    return this.queue.inspect(buildId);
  }

  counts(): Promise<JobCounts> {
    return this.queue.counts();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}
