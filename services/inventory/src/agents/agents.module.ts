import { Module } from '@nestjs/common';
import { MachinesModule } from '../machines/machines.module.js';
import { AgentBinder } from './agent-binder.js';
import { AgentBindingHandlers } from './agent-binding.handlers.js';
import { AgentFactsHandlers } from './agent-facts.handlers.js';
import { AgentHeartbeatsHandlers } from './agent-heartbeats.handlers.js';
import { AgentStatusHandlers } from './agent-status.handlers.js';
import { HeartbeatsRepository } from './heartbeats.repository.js';
import { StatusesRepository } from './statuses.repository.js';

@Module({
  imports: [MachinesModule],
  providers: [
    AgentBinder,
    AgentBindingHandlers,
    AgentFactsHandlers,
    AgentHeartbeatsHandlers,
    AgentStatusHandlers,
    HeartbeatsRepository,
    StatusesRepository,
  ],
})
export class AgentsModule {}
