import { Inject, Injectable } from '@nestjs/common';
import { contracts, MachineState, type MachineDiscovered, type MachineUpdated } from '@muster/contracts';
import { OnEvent, type Delivery } from '@muster/messaging';
import { applyOnce } from '@muster/persistence';
import { BootMachinesRepository } from './boot-machines.repository.js';

const DISCOVERED = 'boot-machine-discovered';
const UPDATED = 'boot-machine-updated';

/**
 * Keeps boot's projection of inventory current. Each event applies once (inbox), and in the
 * order of its entity's revision, not of arrival: a discovery event applies only above the
 * discovery revision held, a machine update only above the machine revision held (ADR 3).
 */
@Injectable()
export class BootMachinesHandlers {
  constructor(@Inject(BootMachinesRepository) private readonly machines: BootMachinesRepository) {}

  @OnEvent(contracts.machineDiscovered, { durable: DISCOVERED, batchSize: 100 })
  async onDiscovered(deliveries: readonly Delivery<MachineDiscovered>[]): Promise<void> {
    await applyOnce(this.machines.ds, DISCOVERED, deliveries, async (manager, fresh) => {
      for (const { message: m } of fresh) {
        await this.machines.recordDiscovered(
          manager,
          m.machineId,
          m.siteId,
          m.identity?.macs ?? [],
          m.revision.toString(),
        );
      }
    });
  }

  @OnEvent(contracts.machineUpdated, { durable: UPDATED, batchSize: 100 })
  async onUpdated(deliveries: readonly Delivery<MachineUpdated>[]): Promise<void> {
    await applyOnce(this.machines.ds, UPDATED, deliveries, async (manager, fresh) => {
      for (const { message: m } of fresh) {
        await this.machines.recordState(manager, {
          machineId: m.machineId,
          siteId: m.siteId,
          state: MachineState[m.state],
          revision: m.revision.toString(),
        });
      }
    });
  }
}
