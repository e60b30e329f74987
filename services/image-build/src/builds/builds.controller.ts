import { Controller, Get, Inject, Query } from '@nestjs/common';
import { limitOnlyQuery, type LimitOnlyQuery } from '@muster/runtime';
import type { JobCounts } from '@muster/jobs';
import { BuildQueue } from './build-queue.provider.js';
import { BuildsRepository, type BuildSummary } from './builds.repository.js';

@Controller('v1/builds')
export class BuildsController {
  constructor(
    @Inject(BuildsRepository) private readonly builds: BuildsRepository,
    @Inject(BuildQueue) private readonly queue: BuildQueue,
  ) {}

  @Get()
  async list(
    @Query({ schema: limitOnlyQuery }) query: LimitOnlyQuery,
  ): Promise<{ builds: BuildSummary[]; queue: JobCounts }> {
    const [builds, queue] = await Promise.all([this.builds.list(query.limit), this.queue.counts()]);
    return { builds, queue };
  }
}
