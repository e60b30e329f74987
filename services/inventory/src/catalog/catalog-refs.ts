import type { EntityManager } from 'typeorm';
import { CatalogReferenceError } from './catalog-kind.js';

const TABLES = {
  site: ['site', 'site_id'],
  group: ['machine_group', 'group_id'],
  profile: ['profile', 'profile_id'],
} as const;

/**
 * Refuses a reference to a site, group or profile that does not exist, and holds a key-share
 * lock on the ones that do until the transaction ends, so that a concurrent delete waits.
 */
export async function requireCatalogEntries(
  manager: EntityManager,
  refs: readonly { kind: keyof typeof TABLES; id: string | null | undefined; field: string }[],
): Promise<void> {
  for (const ref of refs) {
    if (!ref.id) continue;
    const [table, column] = TABLES[ref.kind];
    const found = await manager.query<unknown[]>(
      `SELECT 1 FROM ${table} WHERE ${column} = $1 FOR KEY SHARE`,
      [ref.id],
    );
    if (found.length === 0) throw new CatalogReferenceError(ref.field, `no ${ref.kind} ${ref.id}`);
  }
}

/** Why a site, group or profile is still used (machines on it, rules that assign it), or null. */
export async function usedBy(
  manager: EntityManager,
  kind: keyof typeof TABLES,
  id: string,
): Promise<string | null> {
  const column = TABLES[kind][1];
  const key = `${kind}Id`;
  const [{ machines, rules }] = await manager.query<[{ machines: number; rules: number }]>(
    `SELECT (SELECT count(*)::int FROM machine WHERE ${column} = $1) AS machines,
            (SELECT count(*)::int FROM assignment_rule WHERE assign->>'${key}' = $1) AS rules`,
    [id],
  );
  const reasons = [
    machines > 0
      ? `${machines} machine${machines === 1 ? ' ' + (kind === 'site' ? 'is at' : 'uses') : 's ' + (kind === 'site' ? 'are at' : 'use')} it`
      : '',
    rules > 0 ? `${rules} assignment rule${rules === 1 ? '' : 's'} assign${rules === 1 ? 's' : ''} it` : '',
  ].filter(Boolean);
  return reasons.length > 0 ? reasons.join('; ') : null;
}
