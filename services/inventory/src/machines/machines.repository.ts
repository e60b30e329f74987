import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, type QueryDeepPartialEntity } from 'typeorm';
import { MachineEntity } from './machine.entity.js';

export interface HistoryEntry {
  /** The entry's position, for paging. */
  id: string;
  eventId: string;
  kind: string;
  revision: string;
  at: Date;
  /** `operator:<name>`, `rule:<ruleId>`, `discovery`, `agent:<agentId>`. */
  actor: string;
  /** Each changed field: `{ from, to }`. */
  changes: Record<string, unknown>;
  detail: Record<string, unknown>;
}

@Injectable()
export class MachinesRepository {
  constructor(@Inject(DataSource) readonly ds: DataSource) {}

  /** Runs `work` in one transaction: the unit of work that the writer, the inbox and the outbox share. */
  async inTransaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.ds.transaction(work);
  }

  /** Inserts machines not known yet; returns the rows actually inserted. */
  async insertNew(manager: EntityManager, rows: readonly MachineEntity[]): Promise<MachineEntity[]> {
    if (rows.length === 0) return [];
    const result = await manager
      .createQueryBuilder()
      .insert()
      .into(MachineEntity)
      // jsonb columns hold plain objects; TypeORM's deep-partial type cannot see that.
      .values(rows as unknown as QueryDeepPartialEntity<MachineEntity>[])
      .orIgnore()
      .returning(['machineId'])
      .execute();
    const inserted = new Set((result.raw as { machine_id: string }[]).map((r) => r.machine_id));
    return rows.filter((r) => inserted.has(r.machineId));
  }

  /**
   * Applies a newer identity from discovery to known machines: only where the event's
   * discovery revision is above the one held, so a late or replayed event changes nothing.
   * Bumps the record's revision; returns the rows that changed.
   */
  async applyIdentity(
    manager: EntityManager,
    rows: readonly MachineEntity[],
    updatedAt: Date,
  ): Promise<MachineEntity[]> {
    if (rows.length === 0) return [];
    // TypeORM's PostgreSQL driver answers an UPDATE with [rows, rowCount].
    const [changed] = await manager.query<[{ machine_id: string }[], number]>(
      `UPDATE machine m
          SET smbios_uuid = u.smbios_uuid, serial = u.serial, macs = u.macs::text[], hardware = u.hardware,
              discovery_revision = u.discovery_revision, revision = m.revision + 1, updated_at = $7
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::bigint[])
              AS u(machine_id, smbios_uuid, serial, macs, hardware, discovery_revision)
        WHERE m.machine_id = u.machine_id AND m.discovery_revision < u.discovery_revision
        RETURNING m.machine_id`,
      [
        rows.map((r) => r.machineId),
        rows.map((r) => r.smbiosUuid),
        rows.map((r) => r.serial),
        // unnest of a text[][] flattens; carry each MAC set as one literal and cast per row.
        rows.map((r) => `{${r.macs.map((m) => `"${m}"`).join(',')}}`),
        rows.map((r) => JSON.stringify(r.hardware)),
        rows.map((r) => r.discoveryRevision),
        updatedAt,
      ],
    );
    if (changed.length === 0) return [];
    return manager
      .getRepository(MachineEntity)
      .createQueryBuilder('m')
      .where('m.machine_id = ANY(:ids)', { ids: changed.map((c) => c.machine_id) })
      .getMany();
  }

  /** The seq and operating system of the agent facts just applied (not a record change). */
  async recordFactsSeq(
    manager: EntityManager,
    machineId: string,
    seq: bigint,
    os: object | null,
  ): Promise<void> {
    await manager.query('UPDATE machine SET agent_facts_seq = $2, os = $3 WHERE machine_id = $1', [
      machineId,
      seq.toString(),
      JSON.stringify(os),
    ]);
  }

  async appendHistory(
    manager: EntityManager,
    entries: readonly {
      machineId: string;
      eventId: string;
      kind: string;
      revision: string;
      detail: object;
    }[],
  ): Promise<void> {
    if (entries.length === 0) return;
    await manager.query(
      `INSERT INTO machine_history (machine_id, event_id, kind, revision, detail)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bigint[], $5::jsonb[])`,
      [
        entries.map((e) => e.machineId),
        entries.map((e) => e.eventId),
        entries.map((e) => e.kind),
        entries.map((e) => e.revision),
        entries.map((e) => JSON.stringify(e.detail)),
      ],
    );
  }

  async findById(machineId: string): Promise<MachineEntity | null> {
    return this.ds.getRepository(MachineEntity).findOneBy({ machineId });
  }

  async exists(machineId: string): Promise<boolean> {
    return this.ds.getRepository(MachineEntity).existsBy({ machineId });
  }

  /** Entries after the entry `afterId` (exclusive), oldest first. */
  async history(machineId: string, limit: number, afterId?: string): Promise<HistoryEntry[]> {
    const rows = await this.ds.query<
      {
        id: string;
        event_id: string;
        kind: string;
        revision: string;
        at: Date;
        actor: string;
        changes: Record<string, unknown>;
        detail: Record<string, unknown>;
      }[]
    >(
      `SELECT id, event_id, kind, revision, at, actor, changes, detail FROM machine_history
        WHERE machine_id = $1 AND id > $2 ORDER BY id LIMIT $3`,
      [machineId, afterId ?? '0', limit],
    );
    return rows.map((r) => ({
      id: r.id,
      eventId: r.event_id,
      kind: r.kind,
      revision: r.revision,
      at: r.at,
      actor: r.actor,
      changes: r.changes,
      detail: r.detail,
    }));
  }
}
