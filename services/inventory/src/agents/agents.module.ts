import { Module } from '@nestjs/common';
import { MachinesModule } from '../machines/machines.module.js';
import { AgentBinder } from './agent-binder.js';
import { AgentBindingHandlers } from './agent-binding.handlers.js';
import { AgentFactsHandlers } from './agent-facts.handlers.js';
import { AgentHeartbeatsHandlers } from './agent-heartbeats.handlers.js';
import { HeartbeatsRepository } from './heartbeats.repository.js';

@Module({
  imports: [MachinesModule],
  providers: [
    AgentBinder,
    AgentBindingHandlers,
    AgentFactsHandlers,
    AgentHeartbeatsHandlers,
    HeartbeatsRepository,
  ],
})
export class AgentsModule {}
