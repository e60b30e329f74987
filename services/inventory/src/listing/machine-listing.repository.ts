import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { MachineEntity } from '../machines/machine.entity.js';
import { selectorSql, type LabelTerm } from './label-selector.js';
import { encodeMachineCursor, type MachineCursor } from './machine-cursor.js';
import { sortSpec, type MachineSort } from './machine-sort.js';

export interface MachineListFilter {
  site?: string | undefined;
  group?: string | undefined;
  profile?: string | undefined;
  state?: string | undefined;
  labels?: readonly LabelTerm[] | undefined;
  /** Desired or observed release. */
  release?: string | undefined;
  seenBefore?: Date | undefined;
  seenAfter?: Date | undefined;
  /** Prefix of the hostname or the serial. */
  q?: string | undefined;
  sort: MachineSort;
  after?: MachineCursor | undefined;
  limit: number;
}

export interface MachinePage {
  rows: MachineEntity[];
  next?: string;
}

/**
 * `GET /v1/machines` in SQL: keyset pagination (the cursor holds the last row's sort key and
 * id; the next page starts strictly after it in `(key, machine_id)` order), so a deep page
 * costs what the first does. Raw SQL: the sort keys are expressions that must be written
 * exactly as the migration's indexes hold them, and label selectors use jsonb operators.
 */
@Injectable()
export class MachineListing {
  private readonly columns: string;

  constructor(@Inject(DataSource) private readonly ds: DataSource) {
    this.columns = ds
      .getMetadata(MachineEntity)
      .columns.map((c) => `m.${c.databaseName} AS "${c.propertyName}"`)
      .join(', ');
  }

  async page(filter: MachineListFilter): Promise<MachinePage> {
    const params: unknown[] = [];
    const where: string[] = [];
    const bind = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    if (filter.site) where.push(`m.site_id = ${bind(filter.site)}`);
    if (filter.group) where.push(`m.group_id = ${bind(filter.group)}`);
    if (filter.profile) where.push(`m.profile_id = ${bind(filter.profile)}`);
    if (filter.state) where.push(`m.state = ${bind(filter.state)}`);
    if (filter.labels?.length) where.push(selectorSql(filter.labels, 'm.labels', params));
    if (filter.release) {
      const r = bind(filter.release);
      where.push(`(m.desired_release_id = ${r}::uuid OR m.current_release_id = ${r}::uuid)`);
    }
    // Said on the sort key as well (an equivalent range), so that a last-seen sort's index
    // walk starts and stops at the range instead of filtering row by row past it.
    const seen = `COALESCE(m.last_seen, '-infinity'::timestamptz)`;
    if (filter.seenBefore) {
      where.push(
        `m.last_seen < ${bind(filter.seenBefore)}`,
        `${seen} < $${params.length}`,
        `${seen} > '-infinity'`,
      );
    }
    if (filter.seenAfter)
      where.push(`m.last_seen >= ${bind(filter.seenAfter)}`, `${seen} >= $${params.length}`);
    if (filter.q) {
      const prefix = bind(`${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      where.push(
        `((COALESCE(m.hostname, '') COLLATE "C") LIKE ${prefix} OR (m.serial COLLATE "C") LIKE ${prefix})`,
      );
    }

    const spec = sortSpec(filter.sort);
    const dir = spec.descending ? 'DESC' : 'ASC';
    const cmp = spec.descending ? '<' : '>';
    if (filter.after) {
      const id = bind(filter.after.machineId);
      where.push(
        spec.key
          ? `(${spec.key}, m.machine_id) ${cmp} (${bind(filter.after.key)}::${spec.cast}, ${id}::uuid)`
          : `m.machine_id ${cmp} ${id}::uuid`,
      );
    }
    const order = spec.key ? `${spec.key} ${dir}, m.machine_id ${dir}` : `m.machine_id ${dir}`;
    const rows = await this.ds.query<(MachineEntity & { sortKey: string | null })[]>(
      `SELECT ${this.columns}, ${spec.keyText ?? 'NULL'} AS "sortKey" FROM machine m
        ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY ${order} LIMIT ${bind(filter.limit)}`,
      params,
    );
    const last = rows.at(-1);
    const next =
      rows.length === filter.limit && last
        ? encodeMachineCursor({ sort: filter.sort, key: last.sortKey, machineId: last.machineId })
        : undefined;
    return { rows: rows.map(({ sortKey: _k, ...row }) => row), ...(next ? { next } : {}) };
  }
}
