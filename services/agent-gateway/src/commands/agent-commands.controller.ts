import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  Query,
  Req,
  ConflictException,
} from '@nestjs/common';
import {
  actorOf,
  encodeTimeCursor,
  nextPage,
  slug,
  timePageQuery,
  type TimePageQuery,
} from '@muster/runtime';
import { z } from 'zod';
import { AgentsRepository } from '../agents/agents.repository.js';
import { CommandIssuer } from './command-issuer.service.js';
import { CommandsRepository, type CommandSummary } from './commands.repository.js';

const agentParam = z.object({ agentId: slug }).strict();
const commandBody = z
  .object({
    /** One AgentCommand oneof case in protobuf JSON, e.g. {"collectFacts":{}}. */
    command: z.record(z.string(), z.unknown()),
    expiresInSeconds: z
      .number()
      .int()
      .min(1)
      .max(14 * 86400)
      .default(3600),
  })
  .strict();

/** Who issues a command: `operator:<token name>`, as the API-token guard put it on the request. */
function issuerOf(request: object): string {
  return actorOf(request, 'operator:unknown').slice(0, 256);
}

@Controller('v1/agents/:agentId/commands')
export class AgentCommandsController {
  constructor(
    @Inject(AgentsRepository) private readonly agents: AgentsRepository,
    @Inject(CommandsRepository) private readonly commands: CommandsRepository,
    @Inject(CommandIssuer) private readonly issuer: CommandIssuer,
  ) {}

  /** Signs and sends a command; it reaches the agent now if connected, else on its next connect. */
  @Post()
  @HttpCode(202)
  async issue(
    @Param({ schema: agentParam }) params: z.infer<typeof agentParam>,
    @Body({ schema: commandBody }) body: z.infer<typeof commandBody>,
    @Req() request: object,
  ): Promise<{ commandId: string; expiresAt: Date }> {
    const agent = await this.agents.find(params.agentId, 0);
    if (!agent) throw new NotFoundException(`no agent ${params.agentId}`);
    if (agent.revoked) throw new ConflictException(`agent ${params.agentId} is revoked`);
    return this.issuer.issue(agent, body.command, body.expiresInSeconds, issuerOf(request));
  }

  /** Newest first: pending, delivered, expired and refused. */
  @Get()
  async list(
    @Param({ schema: agentParam }) params: z.infer<typeof agentParam>,
    @Query({ schema: timePageQuery }) query: TimePageQuery,
  ): Promise<{ commands: CommandSummary[]; next?: string }> {
    const page = await this.commands.list(params.agentId, query.limit, query.after);
    return {
      commands: page.map((p) => p.row),
      ...nextPage(page, query.limit, (p) => encodeTimeCursor(p.cursor)),
    };
  }
}
