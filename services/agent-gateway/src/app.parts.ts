import { Module, type DynamicModule } from '@nestjs/common';
import type { ServiceParts } from '@muster/runtime';
import { AgentsController } from './agents/agents.controller.js';
import { AgentsRepository } from './agents/agents.repository.js';
import { AgentCommandHandlers } from './commands/agent-command.handlers.js';
import { AgentCommandsController } from './commands/agent-commands.controller.js';
import { CommandDelivery } from './commands/command-delivery.js';
import { CommandIssuer } from './commands/command-issuer.service.js';
import { COMMAND_KEY_RING, commandKeyRing } from './commands/command-key-ring.js';
import { CommandsRepository } from './commands/commands.repository.js';
import { AgentSocketServer } from './connections/agent-socket.server.js';
import { ConnectionRegistry } from './connections/connection-registry.js';
import { ConnectionUpkeep } from './connections/connection-upkeep.js';
import { DesiredStateSender } from './connections/desired-state.js';
import { GatewaySignals } from './connections/gateway-signals.js';
import { ReportIngest } from './connections/report-ingest.js';
import { CredentialsRepository } from './credentials/credentials.repository.js';
import { EnrollmentController } from './enrollment/enrollment.controller.js';
import { EnrollmentService } from './enrollment/enrollment.service.js';
import { GATEWAY_SETTINGS, type GatewaySettings } from './gateway.config.js';
import { GatewayMetrics } from './gateway.metrics.js';
import { Agents1763800000100 } from './migrations/1763800000100-agents.js';
import { EnrollmentAndCommands1765100000100 } from './migrations/1765100000100-enrollment-and-commands.js';
import { PresenceStore } from './presence/presence.store.js';
import { BootstrapTokensController } from './tokens/bootstrap-tokens.controller.js';
import { BootstrapTokensRepository } from './tokens/bootstrap-tokens.repository.js';
import { UnitOfWork } from './unit-of-work.repository.js';

@Module({})
class GatewayModule {
  static forRoot(settings: GatewaySettings): DynamicModule {
    return {
      module: GatewayModule,
      controllers: [
        BootstrapTokensController,
        EnrollmentController,
        AgentsController,
        AgentCommandsController,
      ],
      providers: [
        { provide: GATEWAY_SETTINGS, useValue: settings },
        { provide: COMMAND_KEY_RING, useValue: commandKeyRing(settings.commandSigningKeys) },
        GatewayMetrics,
        UnitOfWork,
        BootstrapTokensRepository,
        CredentialsRepository,
        AgentsRepository,
        CommandsRepository,
        EnrollmentService,
        CommandIssuer,
        CommandDelivery,
        AgentCommandHandlers,
        PresenceStore,
        GatewaySignals,
        ReportIngest,
        ConnectionRegistry,
        DesiredStateSender,
        AgentSocketServer,
        ConnectionUpkeep,
      ],
    };
  }
}

export function agentGatewayParts(settings: GatewaySettings): ServiceParts {
  return {
    features: [GatewayModule.forRoot(settings)],
    entities: [],
    migrations: [Agents1763800000100, EnrollmentAndCommands1765100000100],
    // Enrollment and the operator routes use its own tables; reports need the bus, which the
    // connection itself reports on (no acknowledgement without JetStream).
    readiness: ['postgres'],
  };
}
