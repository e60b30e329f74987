import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { Outbox, OutboxRelay } from '@muster/persistence';
import { CatalogConflictError, type AnyCatalogKind, type CatalogMeta } from './catalog-kind.js';

export interface CatalogEntry {
  value: Record<string, unknown>;
  meta: CatalogMeta;
}

const UNIQUE_VIOLATION = '23505';

/**
 * Reads and writes the four catalog tables. Raw SQL: every write takes its revision from the
 * catalog's sequence (`nextval`), and each row's change and its event commit together.
 */
@Injectable()
export class CatalogRepository {
  constructor(
    @Inject(DataSource) readonly ds: DataSource,
    @Inject(Outbox) private readonly outbox: Outbox,
    @Inject(OutboxRelay) private readonly relay: OutboxRelay,
  ) {}

  async list(kind: AnyCatalogKind, limit: number, after?: string): Promise<CatalogEntry[]> {
    const rows = await this.ds.query<Record<string, unknown>[]>(
      `SELECT ${this.selectList(kind)} FROM ${kind.table} WHERE ${kind.idColumn} > $1 ORDER BY ${kind.idColumn} LIMIT $2`,
      [after ?? '', limit],
    );
    return rows.map((r) => this.entry(kind, r));
  }

  async get(
    kind: AnyCatalogKind,
    id: string,
    manager: EntityManager = this.ds.manager,
    lock = '',
  ): Promise<CatalogEntry | null> {
    const [row] = await manager.query<Record<string, unknown>[]>(
      `SELECT ${this.selectList(kind)} FROM ${kind.table} WHERE ${kind.idColumn} = $1 ${lock}`,
      [id],
    );
    return row ? this.entry(kind, row) : null;
  }

  /** Creates an entry; CatalogConflictError when the id is taken. */
  async create(kind: AnyCatalogKind, value: Record<string, unknown>): Promise<CatalogEntry> {
    return this.write(async (manager) => {
      await kind.checkReferences?.(manager, value);
      const params: unknown[] = [value[kind.idKey]];
      const cols = kind.columns.map((c) => {
        params.push(this.param(c, value[c.key]));
        return { name: c.column, at: `$${params.length}::${c.cast}` };
      });
      const [row] = await manager.query<Record<string, unknown>[]>(
        `INSERT INTO ${kind.table} (${kind.idColumn}, ${cols.map((c) => c.name).join(', ')}, revision)
         VALUES ($1, ${cols.map((c) => c.at).join(', ')}, nextval('catalog_revision'))
         ON CONFLICT (${kind.idColumn}) DO NOTHING
         RETURNING ${this.selectList(kind)}`,
        params,
      );
      if (!row) throw new CatalogConflictError(`${kind.noun} ${String(value[kind.idKey])} already exists`);
      return this.finish(kind, manager, row);
    });
  }

  /**
   * Applies a patch: the entry is locked, the patch merged into it and the merge validated
   * whole (`validate`), so that a patch cannot leave an entry that a create would refuse.
   * Returns null when there is no such entry.
   */
  async update(
    kind: AnyCatalogKind,
    id: string,
    patch: Record<string, unknown>,
    validate: (merged: Record<string, unknown>) => Record<string, unknown>,
  ): Promise<CatalogEntry | null> {
    return this.write(async (manager) => {
      const current = await this.get(kind, id, manager, 'FOR UPDATE');
      if (!current) return null;
      const value = validate({ ...current.value, ...patch, [kind.idKey]: id });
      await kind.checkReferences?.(manager, value);
      const params: unknown[] = [id];
      const sets = kind.columns.map((c) => {
        params.push(this.param(c, value[c.key]));
        return `${c.column} = $${params.length}::${c.cast}`;
      });
      const [rows] = await manager.query<[Record<string, unknown>[], number]>(
        `UPDATE ${kind.table} SET ${sets.join(', ')}, revision = nextval('catalog_revision'), updated_at = now()
          WHERE ${kind.idColumn} = $1 RETURNING ${this.selectList(kind)}`,
        params,
      );
      return this.finish(kind, manager, rows[0]!);
    });
  }

  /** Deletes an entry and announces it with a new revision; null when there is none. */
  async remove(kind: AnyCatalogKind, id: string): Promise<CatalogEntry | null> {
    return this.write(async (manager) => {
      const current = await this.get(kind, id, manager, 'FOR UPDATE');
      if (!current) return null;
      const busy = await kind.inUse?.(manager, id);
      if (busy) throw new CatalogConflictError(`${kind.noun} ${id} cannot be deleted: ${busy}`);
      const [{ revision }] = await manager.query<[{ revision: string }]>(
        `SELECT nextval('catalog_revision')::text AS revision`,
      );
      await manager.query(`DELETE FROM ${kind.table} WHERE ${kind.idColumn} = $1`, [id]);
      const meta = { ...current.meta, revision, updatedAt: new Date() };
      await kind.announce(this.outbox, manager, current.value, meta, true);
      return { value: current.value, meta };
    });
  }

  private async write<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    try {
      const result = await this.ds.transaction(work);
      this.relay.kick();
      return result;
    } catch (err) {
      if ((err as { code?: string }).code === UNIQUE_VIOLATION) {
        throw new CatalogConflictError((err as { detail?: string }).detail ?? 'conflicts with another entry');
      }
      throw err;
    }
  }

  private async finish(
    kind: AnyCatalogKind,
    manager: EntityManager,
    row: Record<string, unknown>,
  ): Promise<CatalogEntry> {
    const entry = this.entry(kind, row);
    await kind.afterWrite?.(manager, entry.value);
    await kind.announce(this.outbox, manager, entry.value, entry.meta, false);
    return entry;
  }

  private selectList(kind: AnyCatalogKind): string {
    return [
      `${kind.idColumn} AS id`,
      ...kind.columns.map((c) => `${c.read ?? c.column} AS "${c.key}"`),
      'revision::text AS revision',
      'created_at',
      'updated_at',
    ].join(', ');
  }

  private entry(kind: AnyCatalogKind, row: Record<string, unknown>): CatalogEntry {
    const value: Record<string, unknown> = { [kind.idKey]: row.id };
    for (const c of kind.columns) value[c.key] = c.parse ? c.parse(row[c.key]) : row[c.key];
    return {
      value,
      meta: {
        revision: String(row.revision),
        createdAt: row.created_at as Date,
        updatedAt: row.updated_at as Date,
      },
    };
  }

  private param(column: { cast: string; write?: (v: unknown) => unknown }, value: unknown): unknown {
    if (column.write) return column.write(value);
    return column.cast === 'jsonb' ? JSON.stringify(value ?? null) : value;
  }
}
