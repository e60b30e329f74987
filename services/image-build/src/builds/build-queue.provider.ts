import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { createJobQueue, type JobCounts, type JobQueue } from '@muster/jobs';
import { ReadinessRegistry } from '@muster/observability';
import { buildJob } from './build-job.js';

export const REDIS_URL = Symbol('REDIS_URL');

/** The producer side of the build queue; ready only while Redis answers. */
@Injectable()
export class BuildQueue implements OnModuleInit, OnApplicationShutdown {
  private readonly queue: JobQueue<{ buildId: string; recipeDigest: string }>;

  constructor(
    @Inject(REDIS_URL) redisUrl: string,
    @Inject(ReadinessRegistry) private readonly readiness: ReadinessRegistry,
  ) {
    this.queue = createJobQueue({ url: redisUrl }, buildJob);
  }

  onModuleInit(): void {
    this.readiness.register('redis', () => this.queue.isReady());
  }

  counts(): Promise<JobCounts> {
    return this.queue.counts();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}
