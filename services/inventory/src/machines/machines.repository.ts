import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, type QueryDeepPartialEntity } from 'typeorm';
import { MachineEntity } from './machine.entity.js';

export interface MachineFilter {
  siteId?: string | undefined;
  state?: string | undefined;
  limit: number;
  afterId?: string | undefined;
}

export interface HistoryEntry {
  /** The entry's position, for paging. */
  id: string;
  eventId: string;
  kind: string;
  revision: string;
  at: Date;
}

@Injectable()
export class MachinesRepository {
  constructor(@Inject(DataSource) readonly ds: DataSource) {}

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

  async list(filter: MachineFilter): Promise<MachineEntity[]> {
    const q = this.ds
      .getRepository(MachineEntity)
      .createQueryBuilder('m')
      .orderBy('m.machine_id')
      .limit(filter.limit);
    if (filter.siteId) q.andWhere('m.site_id = :siteId', { siteId: filter.siteId });
    if (filter.state) q.andWhere('m.state = :state', { state: filter.state });
    if (filter.afterId) q.andWhere('m.machine_id > :afterId', { afterId: filter.afterId });
    return q.getMany();
  }

  async exists(machineId: string): Promise<boolean> {
    return this.ds.getRepository(MachineEntity).existsBy({ machineId });
  }

  /** Entries after the entry `afterId` (exclusive), oldest first. */
  async history(machineId: string, limit: number, afterId?: string): Promise<HistoryEntry[]> {
    const rows = await this.ds.query<
      { id: string; event_id: string; kind: string; revision: string; at: Date }[]
    >(
      `SELECT id, event_id, kind, revision, at FROM machine_history
        WHERE machine_id = $1 AND id > $2 ORDER BY id LIMIT $3`,
      [machineId, afterId ?? '0', limit],
    );
    return rows.map((r) => ({ id: r.id, eventId: r.event_id, kind: r.kind, revision: r.revision, at: r.at }));
  }
}
