import { Controller, Get, Inject, Query } from '@nestjs/common';
import { encodeTimeCursor, nextPage, timePageQuery, type TimePageQuery } from '@muster/runtime';
import type { JobCounts } from '@muster/jobs';
import { BuildQueue } from './build-queue.provider.js';
import { BuildsRepository, type BuildSummary } from './builds.repository.js';

@Controller('v1/builds')
export class BuildsController {
  constructor(
    @Inject(BuildsRepository) private readonly builds: BuildsRepository,
    @Inject(BuildQueue) private readonly queue: BuildQueue,
  ) {}

  /** Newest first, with the queue's counts; `next`, when present, is the `after` of the next page. */
  @Get()
  async list(
    @Query({ schema: timePageQuery }) query: TimePageQuery,
  ): Promise<{ builds: BuildSummary[]; queue: JobCounts; next?: string }> {
    const [page, queue] = await Promise.all([
      this.builds.list(query.limit, query.after),
      this.queue.counts(),
    ]);
    return {
      builds: page.map((p) => p.row),
      queue,
      ...nextPage(page, query.limit, (p) => encodeTimeCursor(p.cursor)),
    };
  }
}
