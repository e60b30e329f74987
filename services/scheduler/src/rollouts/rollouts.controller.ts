import { Controller, Get, Inject, Query } from '@nestjs/common';
import { z } from 'zod';
import { RolloutsRepository, type RolloutSummary } from './rollouts.repository.js';

const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }).strict();

@Controller('v1/rollouts')
export class RolloutsController {
  constructor(@Inject(RolloutsRepository) private readonly rollouts: RolloutsRepository) {}

  @Get()
  async list(
    @Query({ schema: listQuery }) query: z.infer<typeof listQuery>,
  ): Promise<{ rollouts: RolloutSummary[] }> {
    return { rollouts: await this.rollouts.list(query.limit) };
  }
}
