import { Controller, Get, Inject, Query } from '@nestjs/common';
import { limitOnlyQuery, type LimitOnlyQuery } from '@muster/runtime';
import { RolloutsRepository, type RolloutSummary } from './rollouts.repository.js';

@Controller('v1/rollouts')
export class RolloutsController {
  constructor(@Inject(RolloutsRepository) private readonly rollouts: RolloutsRepository) {}

  @Get()
  async list(
    @Query({ schema: limitOnlyQuery }) query: LimitOnlyQuery,
  ): Promise<{ rollouts: RolloutSummary[] }> {
    return { rollouts: await this.rollouts.list(query.limit) };
  }
}
