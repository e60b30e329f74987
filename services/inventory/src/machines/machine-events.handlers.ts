import { Inject, Injectable } from '@nestjs/common';
import { contracts, type MachineDiscovered } from '@muster/contracts';
import { OnEvent, type Delivery } from '@muster/messaging';
import { applyOnce, Outbox, OutboxRelay } from '@muster/persistence';
import { RuleAssigner } from '../rules/rule-assigner.js';
import { latestPerMachine } from './latest-per-machine.js';
import { machineFromDiscovery, machineUpdated } from './machine-record.js';
import { MachinesRepository } from './machines.repository.js';

export const DISCOVERED_CONSUMER = 'inventory-machine-discovered';

/**
 * Records discovered machines. Each event takes effect once: its id is claimed in the inbox
 * in the same transaction as the machine row, its history entry and the `machine.updated`
 * event that announces it. Events apply in the order of discovery's revision for the machine,
 * whatever order they arrive in: a new machine is inserted, a known one takes the identity of
 * a higher revision only (a stale or replayed event is recorded in history and changes nothing).
 * Then, in the same transaction, the assignment rules apply to the batch's machines that are
 * still DISCOVERED and not pinned (RuleAssigner).
 */
@Injectable()
export class MachineEventsHandlers {
  constructor(
    @Inject(MachinesRepository) private readonly machines: MachinesRepository,
    @Inject(Outbox) private readonly outbox: Outbox,
    @Inject(OutboxRelay) private readonly relay: OutboxRelay,
    @Inject(RuleAssigner) private readonly rules: RuleAssigner,
  ) {}

  @OnEvent(contracts.machineDiscovered, { durable: DISCOVERED_CONSUMER, batchSize: 200, ackWaitMs: 10_000 })
  async onDiscovered(deliveries: readonly Delivery<MachineDiscovered>[]): Promise<void> {
    const applied = await applyOnce(
      this.machines.ds,
      DISCOVERED_CONSUMER,
      deliveries,
      async (manager, fresh) => {
        const latest = latestPerMachine(fresh);
        const rows = latest.map((d) => machineFromDiscovery(d.message));
        const inserted = await this.machines.insertNew(manager, rows);
        const insertedIds = new Set(inserted.map((m) => m.machineId));
        const known = rows.filter((r) => !insertedIds.has(r.machineId) && r.discoveryRevision !== '0');
        const changed = await this.machines.applyIdentity(manager, known, new Date());
        const changedIds = new Set(changed.map((m) => m.machineId));
        const latestIds = new Set(latest.map((d) => d.meta.id));
        // Each event carries the trace of the delivery that caused it: a batch has no one trace.
        const causeOf = new Map(latest.map((d) => [d.message.machineId, d]));
        await this.machines.appendHistory(
          manager,
          fresh.map((d) => ({
            machineId: d.message.machineId,
            eventId: d.meta.id,
            kind: !latestIds.has(d.meta.id)
              ? 'superseded'
              : insertedIds.has(d.message.machineId)
                ? 'discovered'
                : changedIds.has(d.message.machineId)
                  ? 'identity-changed'
                  : 'rediscovered',
            revision: d.message.revision.toString(),
            detail: { siteId: d.message.siteId, bootMac: d.message.bootMac, ip: d.message.ipAddress },
          })),
        );
        for (const row of inserted) {
          await this.outbox.add(
            manager,
            contracts.machineUpdated,
            { siteId: row.siteId, machineId: row.machineId },
            machineUpdated(row, ['state'], 'discovered'),
            { about: row.machineId, cause: causeOf.get(row.machineId)! },
          );
        }
        for (const row of changed) {
          await this.outbox.add(
            manager,
            contracts.machineUpdated,
            { siteId: row.siteId, machineId: row.machineId },
            machineUpdated(row, ['identity', 'hardware'], 'identity changed at rediscovery'),
            { about: row.machineId, cause: causeOf.get(row.machineId)! },
          );
        }
        await this.rules.assign(
          manager,
          latest.map((d) => d.message.machineId),
          (machineId) => causeOf.get(machineId),
        );
      },
    );
    if (applied > 0) this.relay.kick();
  }
}
