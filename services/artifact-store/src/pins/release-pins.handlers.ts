import { Inject, Injectable } from '@nestjs/common';
import { contracts, RolloutState, type MachineUpdated, type RolloutStateChanged } from '@muster/contracts';
import { OnEvent, type Delivery } from '@muster/messaging';
import { ReleasePinsRepository } from './release-pins.repository.js';

const ENDED = new Set([RolloutState.COMPLETED, RolloutState.ABORTED, RolloutState.ROLLED_BACK]);

/**
 * What keeps a release from garbage collection besides channels: the release each machine runs
 * and should run (from inventory's machine updates, in revision order) and each open rollout's.
 */
@Injectable()
export class ReleasePinsHandlers {
  constructor(@Inject(ReleasePinsRepository) private readonly pins: ReleasePinsRepository) {}

  @OnEvent(contracts.machineUpdated, { durable: 'artifact-store-machine-updated', batchSize: 200 })
  async onMachine(deliveries: readonly Delivery<MachineUpdated>[]): Promise<void> {
    for (const { message: m } of deliveries) {
      const revision = m.revision.toString();
      await this.pins.pin(`machine:${m.machineId}:current`, m.currentReleaseId, revision);
      await this.pins.pin(`machine:${m.machineId}:desired`, m.desiredReleaseId, revision);
    }
  }

  @OnEvent(contracts.rolloutStateChanged, { durable: 'artifact-store-rollout-changed', batchSize: 100 })
  async onRollout(deliveries: readonly Delivery<RolloutStateChanged>[]): Promise<void> {
    for (const { message: r } of deliveries)
      await this.pins.pin(`rollout:${r.rolloutId}`, ENDED.has(r.state) ? '' : r.releaseId, null);
  }
}
