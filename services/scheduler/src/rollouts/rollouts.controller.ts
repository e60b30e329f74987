import { Controller, Get, Inject, Query } from '@nestjs/common';
import { encodeTimeCursor, nextPage, timePageQuery, type TimePageQuery } from '@muster/runtime';
import { RolloutsRepository, type RolloutSummary } from './rollouts.repository.js';

@Controller('v1/rollouts')
export class RolloutsController {
  constructor(@Inject(RolloutsRepository) private readonly rollouts: RolloutsRepository) {}

  /** Newest first; `next`, when present, is the `after` of the next page. */
  @Get()
  async list(
    @Query({ schema: timePageQuery }) query: TimePageQuery,
  ): Promise<{ rollouts: RolloutSummary[]; next?: string }> {
    const page = await this.rollouts.list(query.limit, query.after);
    return {
      rollouts: page.map((p) => p.row),
      ...nextPage(page, query.limit, (p) => encodeTimeCursor(p.cursor)),
    };
  }
}
