import { Inject, Injectable } from '@nestjs/common';
import { toJson, type JsonObject } from '@bufbuild/protobuf';
import { contracts, HardwareFactsSchema, OperatingSystemSchema, type AgentFacts } from '@muster/contracts';
import { OnEvent, PermanentFailureError, type Delivery } from '@muster/messaging';
import { OutboxRelay } from '@muster/persistence';
import { MachineWriter } from '../machines/machine-writer.js';
import { MachinesRepository } from '../machines/machines.repository.js';

export const FACTS_CONSUMER = 'inventory-agent-facts';

/**
 * Agents' facts update their machine's hardware facts. Idempotent by the agent's sequence, not
 * by an inbox row per message: the machine keeps `agent_facts_seq`, the seq of the last facts
 * applied, and facts at or below it (a replay, a duplicate, an older report that arrived late)
 * change nothing. The column restarts at 0 when another agent binds the machine. Facts from an
 * agent that is not bound to the machine they name go to dead letter with the reason.
 */
@Injectable()
export class AgentFactsHandlers {
  constructor(
    @Inject(MachinesRepository) private readonly machines: MachinesRepository,
    @Inject(MachineWriter) private readonly writer: MachineWriter,
    @Inject(OutboxRelay) private readonly relay: OutboxRelay,
  ) {}

  @OnEvent(contracts.agentFacts, { durable: FACTS_CONSUMER, batchSize: 100, ackWaitMs: 10_000 })
  async onFacts(deliveries: readonly Delivery<AgentFacts>[]): Promise<void> {
    const latest = new Map<string, Delivery<AgentFacts>>();
    for (const d of deliveries) {
      const held = latest.get(d.message.agentId);
      if (!held || d.message.seq > held.message.seq) latest.set(d.message.agentId, d);
    }
    let changed = 0;
    await this.machines.inTransaction(async (manager) => {
      const ordered = [...latest.values()].sort((a, b) =>
        a.message.machineId < b.message.machineId ? -1 : 1,
      );
      for (const d of ordered) {
        const facts = d.message;
        const row = await this.writer.lock(manager, facts.machineId);
        if (!row || row.agentId !== facts.agentId) {
          // The whole batch rolls back; the consumer retries its messages one by one, and only
          // this one goes to dead letter.
          throw new PermanentFailureError(
            `agent ${facts.agentId} is not bound to machine ${facts.machineId}`,
          );
        }
        if (BigInt(row.agentFactsSeq) >= facts.seq) continue;
        const os = facts.os ? (toJson(OperatingSystemSchema, facts.os) as JsonObject) : null;
        await this.machines.recordFactsSeq(manager, row.machineId, facts.seq, os);
        row.agentFactsSeq = facts.seq.toString();
        row.os = os;
        const result = await this.writer.changeLocked(
          manager,
          row,
          (m) =>
            void (m.hardware = facts.hardware
              ? (toJson(HardwareFactsSchema, facts.hardware) as JsonObject)
              : {}),
          {
            actor: `agent:${facts.agentId}`,
            kind: 'facts',
            reason: 'hardware facts reported by the agent',
            cause: d,
          },
        );
        changed += Object.keys(result.changes).length > 0 ? 1 : 0;
      }
    });
    if (changed > 0) this.relay.kick();
  }
}
