import { Inject, Injectable } from '@nestjs/common';
import { toJson } from '@bufbuild/protobuf';
import { AgentStatusSchema, contracts, type AgentStatus } from '@muster/contracts';
import { OnEvent, type Delivery } from '@muster/messaging';
import { MachinesRepository } from '../machines/machines.repository.js';
import { StatusesRepository } from './statuses.repository.js';

export const STATUS_CONSUMER = 'inventory-agent-status';

/**
 * Agents' deployment statuses become their machine's `lastStatus`. Idempotent by the agent's
 * sequence, not by an inbox row per message: a batch keeps each agent's highest seq and writes
 * them in one statement (StatusesRepository.apply). Progress is not a record change — no history
 * row and no `machine.updated` per status; the statuses themselves stay in AGENT_TELEMETRY.
 * A status from an agent bound to no machine matches nothing and is only counted in the log.
 */
@Injectable()
export class AgentStatusHandlers {
  constructor(
    @Inject(MachinesRepository) private readonly machines: MachinesRepository,
    @Inject(StatusesRepository) private readonly statuses: StatusesRepository,
  ) {}

  @OnEvent(contracts.agentStatus, { durable: STATUS_CONSUMER, batchSize: 1000, ackWaitMs: 15_000 })
  async onStatus(deliveries: readonly Delivery<AgentStatus>[]): Promise<void> {
    const latest = new Map<string, AgentStatus>();
    for (const { message } of deliveries) {
      const held = latest.get(message.agentId);
      if (!held || message.seq > held.seq) latest.set(message.agentId, message);
    }
    await this.machines.inTransaction((manager) =>
      this.statuses.apply(
        manager,
        [...latest.values()].map((s) => ({
          agentId: s.agentId,
          seq: s.seq,
          status: toJson(AgentStatusSchema, s) as Record<string, unknown>,
        })),
      ),
    );
  }
}
