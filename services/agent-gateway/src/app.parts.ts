import { Module } from '@nestjs/common';
import type { ServiceParts } from '@muster/runtime';
import { AgentsController } from './agents/agents.controller.js';
import { AgentsRepository } from './agents/agents.repository.js';
import { Agents1763800000100 } from './migrations/1763800000100-agents.js';

@Module({ controllers: [AgentsController], providers: [AgentsRepository] })
class AgentsModule {}

export const agentGatewayParts: ServiceParts = {
  features: [AgentsModule],
  entities: [],
  migrations: [Agents1763800000100],
  // Lists agents from its own tables.
  readiness: ['postgres'],
};
