/**
 * The sorts of `GET /v1/machines`. Each orders by a NULL-free key and then the machine id, the
 * same expression an index of the migration holds, so that a page is an index walk from the
 * cursor (keyset pagination) however deep it is.
 */
export const MACHINE_SORTS = [
  'machineId',
  'lastSeen',
  '-lastSeen',
  'hostname',
  'updatedAt',
  '-updatedAt',
] as const;
export type MachineSort = (typeof MACHINE_SORTS)[number];

export interface SortSpec {
  /** SQL of the key (before machine_id), or null when the id alone orders. */
  key: string | null;
  descending: boolean;
  /** The key as text for the cursor, exactly as PostgreSQL writes it (microseconds kept). */
  keyText: string | null;
  /** The cast that reads the cursor's text back. */
  cast: string | null;
}

const LAST_SEEN = `COALESCE(m.last_seen, '-infinity'::timestamptz)`;
const HOSTNAME = `(COALESCE(m.hostname, '') COLLATE "C")`;

export function sortSpec(sort: MachineSort): SortSpec {
  switch (sort) {
    case 'machineId':
      return { key: null, descending: false, keyText: null, cast: null };
    case 'lastSeen':
    case '-lastSeen':
      return {
        key: LAST_SEEN,
        descending: sort.startsWith('-'),
        keyText: `${LAST_SEEN}::text`,
        cast: 'timestamptz',
      };
    case 'hostname':
      return { key: HOSTNAME, descending: false, keyText: HOSTNAME, cast: 'text' };
    case 'updatedAt':
    case '-updatedAt':
      return {
        key: 'm.updated_at',
        descending: sort.startsWith('-'),
        keyText: 'm.updated_at::text',
        cast: 'timestamptz',
      };
  }
}
