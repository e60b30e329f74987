import { fromBinary } from '@bufbuild/protobuf';
import { Inject, Injectable } from '@nestjs/common';
import { SignedAgentCommandSchema } from '@muster/contracts';
import type { AgentConnection } from '../connections/agent-connection.js';
import { GatewayMetrics } from '../gateway.metrics.js';
import { CommandsRepository } from './commands.repository.js';

/**
 * Sends an agent the commands waiting for it. Runs on every connect and on every delivery signal;
 * a command goes once per connection, and again on a later connection until the agent's
 * CommandReceipt marks it delivered (the agent runs a command id at most once).
 */
@Injectable()
export class CommandDelivery {
  constructor(
    @Inject(CommandsRepository) private readonly commands: CommandsRepository,
    @Inject(GatewayMetrics) private readonly metrics: GatewayMetrics,
  ) {}

  async sendPending(connection: AgentConnection): Promise<void> {
    for (const pending of await this.commands.pendingFor(connection.agentId)) {
      if (!connection.isOpen) return;
      connection.sendCommand(fromBinary(SignedAgentCommandSchema, pending.signed), pending.commandId);
    }
  }

  async receipt(connection: AgentConnection, commandId: string): Promise<void> {
    if (await this.commands.markDelivered(connection.agentId, commandId)) {
      this.metrics.commands.inc({ outcome: 'delivered' });
    }
  }
}
