import { Inject, Injectable } from '@nestjs/common';
import { contracts, type MachineDiscovered } from '@muster/contracts';
import { OnEvent, type Delivery } from '@muster/messaging';
import { applyOnce, Outbox, OutboxRelay } from '@muster/persistence';
import { machineFromDiscovery, machineUpdated } from './machine-record.js';
import { MachinesRepository } from './machines.repository.js';

export const DISCOVERED_CONSUMER = 'inventory-machine-discovered';

/**
 * Records discovered machines. Each event takes effect once: its id is claimed in the inbox
 * in the same transaction as the machine row, its history entry and the `machine.updated`
 * event that announces it.
 */
@Injectable()
export class MachineEventsHandlers {
  constructor(
    @Inject(MachinesRepository) private readonly machines: MachinesRepository,
    @Inject(Outbox) private readonly outbox: Outbox,
    @Inject(OutboxRelay) private readonly relay: OutboxRelay,
  ) {}

  @OnEvent(contracts.machineDiscovered, { durable: DISCOVERED_CONSUMER, batchSize: 200, ackWaitMs: 10_000 })
  async onDiscovered(deliveries: readonly Delivery<MachineDiscovered>[]): Promise<void> {
    const applied = await applyOnce(
      this.machines.ds,
      DISCOVERED_CONSUMER,
      deliveries,
      async (manager, fresh) => {
        const records = fresh.map((d) => ({ cause: d, row: machineFromDiscovery(d.message) }));
        const inserted = await this.machines.insertNew(
          manager,
          records.map((r) => r.row),
        );
        const insertedIds = new Set(inserted.map((m) => m.machineId));
        await this.machines.appendHistory(
          manager,
          fresh.map((d) => ({
            machineId: d.message.machineId,
            eventId: d.meta.id,
            kind: insertedIds.has(d.message.machineId) ? 'discovered' : 'rediscovered',
            revision: '1',
            detail: { siteId: d.message.siteId, bootMac: d.message.bootMac, ip: d.message.ipAddress },
          })),
        );
        // Each event carries the trace of the delivery that caused it: a batch has no one trace.
        for (const { cause, row } of records.filter((r) => insertedIds.has(r.row.machineId))) {
          await this.outbox.add(
            manager,
            contracts.machineUpdated,
            { siteId: row.siteId },
            machineUpdated(row, ['state'], 'discovered'),
            { about: row.machineId, cause },
          );
        }
      },
    );
    if (applied > 0) this.relay.kick();
  }
}
