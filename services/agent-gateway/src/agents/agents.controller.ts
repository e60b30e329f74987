import { Controller, Get, HttpCode, Inject, NotFoundException, Param, Post, Query } from '@nestjs/common';
import { nextPage, pageLimit, slug } from '@muster/runtime';
import { z } from 'zod';
import { AgentSocketServer } from '../connections/agent-socket.server.js';
import { CredentialsRepository } from '../credentials/credentials.repository.js';
import { UnitOfWork } from '../unit-of-work.repository.js';
import { GATEWAY_SETTINGS, type GatewaySettings } from '../gateway.config.js';
import { AgentsRepository, type AgentSummary } from './agents.repository.js';

const listQuery = z
  .object({
    site: slug.optional(),
    connected: z.enum(['true', 'false']).optional(),
    limit: pageLimit,
    after: slug.optional(),
  })
  .strict();
const agentParam = z.object({ agentId: slug }).strict();

/** Enrolled agents, whether and where they are connected, and their revocation. */
@Controller('v1/agents')
export class AgentsController {
  constructor(
    @Inject(AgentsRepository) private readonly agents: AgentsRepository,
    @Inject(CredentialsRepository) private readonly credentials: CredentialsRepository,
    @Inject(AgentSocketServer) private readonly sockets: AgentSocketServer,
    @Inject(UnitOfWork) private readonly uow: UnitOfWork,
    @Inject(GATEWAY_SETTINGS) private readonly settings: GatewaySettings,
  ) {}

  /** By agent id; `next`, when present, is the `after` of the next page. */
  @Get()
  async list(
    @Query({ schema: listQuery }) query: z.infer<typeof listQuery>,
  ): Promise<{ agents: AgentSummary[]; next?: string }> {
    const agents = await this.agents.list(
      {
        siteId: query.site,
        connected: query.connected === undefined ? undefined : query.connected === 'true',
      },
      this.connectedWithin(),
      query.limit,
      query.after,
    );
    return { agents, ...nextPage(agents, query.limit, (a) => a.agentId) };
  }

  @Get(':agentId')
  async get(@Param({ schema: agentParam }) params: z.infer<typeof agentParam>): Promise<AgentSummary> {
    const agent = await this.agents.find(params.agentId, this.connectedWithin());
    if (!agent) throw new NotFoundException(`no agent ${params.agentId}`);
    return agent;
  }

  /** Revokes the agent and its credentials; its live connection ends (Goodbye CREDENTIAL) within seconds. */
  @Post(':agentId/revoke')
  @HttpCode(200)
  async revoke(@Param({ schema: agentParam }) params: z.infer<typeof agentParam>): Promise<AgentSummary> {
    const credentialIds = await this.uow.run(async (manager) => {
      await this.agents.revoke(manager, [params.agentId], 'revoked by an operator');
      return this.credentials.revokeAllOf(manager, [params.agentId]);
    });
    const agent = await this.agents.find(params.agentId, this.connectedWithin());
    if (!agent) throw new NotFoundException(`no agent ${params.agentId}`);
    this.sockets.closeRevoked([params.agentId], credentialIds, true);
    return agent;
  }

  /** An agent counts as connected while its holder wrote last-seen within three heartbeats. */
  private connectedWithin(): number {
    return 3 * this.settings.heartbeatIntervalSeconds + Math.ceil(this.settings.flushIntervalMs / 1000);
  }
}
