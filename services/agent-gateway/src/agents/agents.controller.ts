import { Controller, Get, Inject, Query } from '@nestjs/common';
import { z } from 'zod';
import { AgentsRepository, type AgentSummary } from './agents.repository.js';

const listQuery = z
  .object({
    siteId: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/)
      .optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();

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
