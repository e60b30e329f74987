import { Controller, Get, Inject, Query } from '@nestjs/common';
import { z } from 'zod';
import { ReleasesRepository, type ReleaseSummary } from './releases.repository.js';

const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }).strict();

@Controller('v1/releases')
export class ReleasesController {
  constructor(@Inject(ReleasesRepository) private readonly releases: ReleasesRepository) {}

  @Get()
  async list(
    @Query({ schema: listQuery }) query: z.infer<typeof listQuery>,
  ): Promise<{ releases: ReleaseSummary[] }> {
    return { releases: await this.releases.list(query.limit) };
  }
}
