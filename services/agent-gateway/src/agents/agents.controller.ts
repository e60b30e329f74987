import { Controller, Get, Inject, Query } from '@nestjs/common';
import { nextPage, pageLimit, slug } from '@muster/runtime';
import { z } from 'zod';
import { AgentsRepository, type AgentSummary } from './agents.repository.js';

const listQuery = z.object({ siteId: slug.optional(), limit: pageLimit, after: slug.optional() }).strict();

@Controller('v1/agents')
export class AgentsController {
  constructor(@Inject(AgentsRepository) private readonly agents: AgentsRepository) {}

  /** By agent id; `next`, when present, is the `after` of the next page. */
  @Get()
  async list(
    @Query({ schema: listQuery }) query: z.infer<typeof listQuery>,
  ): Promise<{ agents: AgentSummary[]; next?: string }> {
    const agents = await this.agents.list(query.siteId, query.limit, query.after);
    return { agents, ...nextPage(agents, query.limit, (a) => a.agentId) };
  }
}
