import { Controller, Get, Inject, Query } from '@nestjs/common';
import { pageLimit, slug } from '@muster/runtime';
import { z } from 'zod';
import { AgentsRepository, type AgentSummary } from './agents.repository.js';

const listQuery = z.object({ siteId: slug.optional(), limit: pageLimit }).strict();

@Controller('v1/agents')
export class AgentsController {
  constructor(@Inject(AgentsRepository) private readonly agents: AgentsRepository) {}

  @Get()
  async list(
    @Query({ schema: listQuery }) query: z.infer<typeof listQuery>,
  ): Promise<{ agents: AgentSummary[] }> {
    return { agents: await this.agents.list(query.siteId, query.limit) };
  }
}
