import { Controller, Get, Inject, Query } from '@nestjs/common';
import { encodeTimeCursor, nextPage, timePageQuery, type TimePageQuery } from '@muster/runtime';
import { ReleasesRepository, type ReleaseSummary } from './releases.repository.js';

@Controller('v1/releases')
export class ReleasesController {
  constructor(@Inject(ReleasesRepository) private readonly releases: ReleasesRepository) {}

  /** Newest first; `next`, when present, is the `after` of the next page. */
  @Get()
  async list(
    @Query({ schema: timePageQuery }) query: TimePageQuery,
  ): Promise<{ releases: ReleaseSummary[]; next?: string }> {
    const page = await this.releases.list(query.limit, query.after);
    return {
      releases: page.map((p) => p.row),
      ...nextPage(page, query.limit, (p) => encodeTimeCursor(p.cursor)),
    };
  }
}
