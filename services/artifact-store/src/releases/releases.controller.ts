import { Controller, Get, Inject, Query } from '@nestjs/common';
import { limitOnlyQuery, type LimitOnlyQuery } from '@muster/runtime';
import { ReleasesRepository, type ReleaseSummary } from './releases.repository.js';

@Controller('v1/releases')
export class ReleasesController {
  constructor(@Inject(ReleasesRepository) private readonly releases: ReleasesRepository) {}

  @Get()
  async list(
    @Query({ schema: limitOnlyQuery }) query: LimitOnlyQuery,
  ): Promise<{ releases: ReleaseSummary[] }> {
    return { releases: await this.releases.list(query.limit) };
  }
}
