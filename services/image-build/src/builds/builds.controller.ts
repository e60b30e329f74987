import { Controller, Get, Inject, Query } from '@nestjs/common';
import { z } from 'zod';
import type { JobCounts } from '@muster/jobs';
import { BuildQueue } from './build-queue.provider.js';
import { BuildsRepository, type BuildSummary } from './builds.repository.js';

const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }).strict();

@Controller('v1/builds')
export class BuildsController {
  constructor(
    @Inject(BuildsRepository) private readonly builds: BuildsRepository,
    @Inject(BuildQueue) private readonly queue: BuildQueue,
  ) {}

  @Get()
  async list(
    @Query({ schema: listQuery }) query: z.infer<typeof listQuery>,
  ): Promise<{ builds: BuildSummary[]; queue: JobCounts }> {
    const [builds, queue] = await Promise.all([this.builds.list(query.limit), this.queue.counts()]);
    return { builds, queue };
  }
}
