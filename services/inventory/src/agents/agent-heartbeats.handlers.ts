import { Inject, Injectable } from '@nestjs/common';
import { contracts, type AgentHeartbeat } from '@muster/contracts';
import { OnEvent, type Delivery } from '@muster/messaging';
import { OutboxRelay } from '@muster/persistence';
import { MachineWriter } from '../machines/machine-writer.js';
import { MachinesRepository } from '../machines/machines.repository.js';
import { foldBeats } from './heartbeat-fold.js';
import { HeartbeatsRepository } from './heartbeats.repository.js';

export const HEARTBEATS_CONSUMER = 'inventory-agent-heartbeats';

/**
 * Folds agents' heartbeats (the stream of the AGENT_HEARTBEATS KV bucket: the last beat per
 * agent) into `last_seen` and the observed release, never a database write per beat: a batch of
 * up to 1,000 beats is one UPDATE (HeartbeatsRepository.fold: monotonic, safe with several
 * inventory instances). Only a change of observed release is a record change (history and
 * `machine.updated`, actor `agent:<agentId>`); last seen is not an event.
 */
@Injectable()
export class AgentHeartbeatsHandlers {
  constructor(
    @Inject(MachinesRepository) private readonly machines: MachinesRepository,
    @Inject(HeartbeatsRepository) private readonly heartbeats: HeartbeatsRepository,
    @Inject(MachineWriter) private readonly writer: MachineWriter,
    @Inject(OutboxRelay) private readonly relay: OutboxRelay,
  ) {}

  @OnEvent(contracts.agentHeartbeat, { durable: HEARTBEATS_CONSUMER, batchSize: 1000, ackWaitMs: 15_000 })
  async onBeats(deliveries: readonly Delivery<AgentHeartbeat>[]): Promise<void> {
    const moved = await this.machines.inTransaction(async (manager) => {
      const releases = await this.heartbeats.fold(manager, foldBeats(deliveries));
      for (const { row, from } of releases) {
        await this.writer.announce(
          manager,
          row,
          { current_release_id: { from, to: row.currentReleaseId } },
          {
            actor: `agent:${row.agentId ?? ''}`,
            kind: 'release-observed',
            reason: 'the agent reports another running release',
          },
        );
      }
      return releases.length;
    });
    if (moved > 0) this.relay.kick();
  }
}
