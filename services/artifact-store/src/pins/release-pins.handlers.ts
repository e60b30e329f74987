import { Inject, Injectable } from '@nestjs/common';
import { contracts, RolloutState, type MachineUpdated, type RolloutStateChanged } from '@muster/contracts';
import { OnEvent, type Delivery } from '@muster/messaging';
import { DataSource } from 'typeorm';

const ENDED = new Set([RolloutState.COMPLETED, RolloutState.ABORTED, RolloutState.ROLLED_BACK]);

/**
 * What keeps a release from garbage collection besides channels: the release each machine runs
 * and should run (from inventory's machine updates, in revision order) and each open rollout's.
 */
@Injectable()
export class ReleasePinsHandlers {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}

  @OnEvent(contracts.machineUpdated, { durable: 'artifact-store-machine-updated', batchSize: 200 })
  async onMachine(deliveries: readonly Delivery<MachineUpdated>[]): Promise<void> {
    for (const { message: m } of deliveries) {
      const revision = m.revision.toString();
      await this.pin(`machine:${m.machineId}:current`, m.currentReleaseId, revision);
      await this.pin(`machine:${m.machineId}:desired`, m.desiredReleaseId, revision);
    }
  }

  @OnEvent(contracts.rolloutStateChanged, { durable: 'artifact-store-rollout-changed', batchSize: 100 })
  async onRollout(deliveries: readonly Delivery<RolloutStateChanged>[]): Promise<void> {
    for (const { message: r } of deliveries)
      await this.pin(`rollout:${r.rolloutId}`, ENDED.has(r.state) ? '' : r.releaseId, null);
  }

  /** Sets (or with no release, clears) a holder's pin, unless a newer revision already did. */
  private async pin(holder: string, releaseId: string, revision: string | null): Promise<void> {
    if (releaseId) {
      await this.ds.query(
        `INSERT INTO release_pin (holder, release_id, revision) VALUES ($1, $2, coalesce($3::bigint, 0))
         ON CONFLICT (holder) DO UPDATE SET release_id = $2, revision = excluded.revision, updated_at = now()
          WHERE $3::bigint IS NULL OR release_pin.revision < $3::bigint`,
        [holder, releaseId, revision],
      );
    } else {
      await this.ds.query(
        `DELETE FROM release_pin WHERE holder = $1 AND ($2::bigint IS NULL OR revision < $2::bigint)`,
        [holder, revision],
      );
    }
  }
}
