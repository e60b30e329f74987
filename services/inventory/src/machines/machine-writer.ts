import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager, QueryDeepPartialEntity } from 'typeorm';
import { contracts } from '@muster/contracts';
import type { Delivery } from '@muster/messaging';
import { Outbox } from '@muster/persistence';
import { machineDiff, type MachineChanges } from './machine-diff.js';
import { machineUpdated } from './machine-record.js';
import { MachineEntity } from './machine.entity.js';

/** A change an operator asked for cannot be made; the reason is what they read (HTTP 409). */
export class MachineRefusedError extends Error {
  override readonly name = 'MachineRefusedError';
}

export interface ChangeContext {
  /** `operator:<name>`, `rule:<ruleId>`, `discovery`, `agent:<agentId>`. */
  actor: string;
  /** History kind: `updated`, `assigned`, `transition`, `retired`, `agent-bound`, `facts`… */
  kind: string;
  /** Why, in words (MachineUpdated.reason). */
  reason: string;
  /** The delivery that caused the change, so its event stays in that trace. */
  cause?: Delivery<unknown>;
}

export interface ChangeResult {
  row: MachineEntity;
  changes: MachineChanges;
}

/**
 * The one way a known machine's record changes: in the caller's transaction, the row is locked,
 * edited, and — when anything changed — saved with the next revision, a history entry (actor,
 * before/after) and the `machine.updated` event that announces it. An edit that changes nothing
 * writes nothing.
 */
@Injectable()
export class MachineWriter {
  constructor(@Inject(Outbox) private readonly outbox: Outbox) {}

  async lock(manager: EntityManager, machineId: string): Promise<MachineEntity | null> {
    return manager
      .getRepository(MachineEntity)
      .createQueryBuilder('m')
      .setLock('pessimistic_write')
      .where('m.machine_id = :machineId', { machineId })
      .getOne();
  }

  /** Edits a locked row (`edit` may throw MachineRefusedError); null when there is no such machine. */
  async change(
    manager: EntityManager,
    machineId: string,
    edit: (row: MachineEntity) => void,
    context: ChangeContext,
  ): Promise<ChangeResult | null> {
    const before = await this.lock(manager, machineId);
    if (!before) return null;
    return this.changeLocked(manager, before, edit, context);
  }

  /** The same on a row the caller already holds locked. */
  async changeLocked(
    manager: EntityManager,
    before: MachineEntity,
    edit: (row: MachineEntity) => void,
    context: ChangeContext,
  ): Promise<ChangeResult> {
    const after: MachineEntity = { ...before, labels: { ...before.labels } };
    edit(after);
    const changes = machineDiff(before, after);
    if (Object.keys(changes).length === 0) return { row: before, changes };
    after.revision = String(BigInt(before.revision) + 1n);
    after.updatedAt = new Date();
    const { machineId: _id, ...fields } = after;
    await manager
      .getRepository(MachineEntity)
      // jsonb columns hold plain objects; TypeORM's deep-partial type cannot see that.
      .update({ machineId: after.machineId }, fields as unknown as QueryDeepPartialEntity<MachineEntity>);
    await this.announce(manager, after, changes, context, before.siteId);
    return { row: after, changes };
  }

  /** History and `machine.updated` for a row already written (inserted or updated). */
  async announce(
    manager: EntityManager,
    row: MachineEntity,
    changes: MachineChanges,
    context: ChangeContext,
    previousSiteId = row.siteId,
  ): Promise<void> {
    const event = await this.outbox.add(
      manager,
      contracts.machineUpdated,
      { siteId: row.siteId, machineId: row.machineId },
      machineUpdated(row, Object.keys(changes), context.reason, context.actor, previousSiteId),
      { about: row.machineId, ...(context.cause ? { cause: context.cause } : {}) },
    );
    await manager.query(
      `INSERT INTO machine_history (machine_id, event_id, kind, revision, actor, changes, detail)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        row.machineId,
        event.id,
        context.kind,
        row.revision,
        context.actor,
        JSON.stringify(changes),
        JSON.stringify({ reason: context.reason }),
      ],
    );
  }
}
