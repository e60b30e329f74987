import { RELEASES } from './fleet.js';

/**
 * What an operator's listings ask, each with how many pages to walk (limit 100). The same
 * filters and sort run through inventory's API (keyset cursor) and through OFFSET/LIMIT (the
 * peer); `where`/`order` are the peer's SQL of the same request.
 */
export interface Scenario {
  name: string;
  query: string;
  pages: number;
  where: string;
  order: string;
}

const LAST_SEEN_DESC = `COALESCE(last_seen, '-infinity') DESC, machine_id DESC`;

export function scenarios(sites: number, seenAfter: string): Scenario[] {
  const site = (n: number) => `site-${String(n % sites).padStart(4, '0')}`;
  return [
    {
      name: 'all, newest seen first, deep',
      query: 'sort=-lastSeen',
      pages: 300,
      where: 'true',
      order: LAST_SEEN_DESC,
    },
    ...[17, 1234, 4999].map((n) => ({
      name: `one site (${site(n)}) by hostname`,
      query: `site=${site(n)}&sort=hostname`,
      pages: 1,
      where: `site_id = '${site(n)}'`,
      order: `COALESCE(hostname, '') COLLATE "C", machine_id`,
    })),
    {
      name: 'deployed tills, recently updated first',
      query: 'state=deployed&label=role%3Dtill&sort=-updatedAt',
      pages: 120,
      where: `state = 'DEPLOYED' AND labels @> '{"role":"till"}'`,
      order: 'updated_at DESC, machine_id DESC',
    },
    {
      name: 'gold tier (1 %), by id',
      query: 'label=tier%3Dgold',
      pages: 10,
      where: `labels @> '{"tier":"gold"}'`,
      order: 'machine_id',
    },
    {
      name: 'not tills, no tier, by id',
      query: 'label=role!%3Dtill,!tier',
      pages: 100,
      where: `NOT (labels @> '{"role":"till"}') AND NOT (labels ? 'tier')`,
      order: 'machine_id',
    },
    {
      name: 'seen in the last day, newest first',
      query: `seenAfter=${seenAfter}&sort=-lastSeen`,
      pages: 100,
      where: `last_seen >= '${seenAfter}'`,
      order: LAST_SEEN_DESC,
    },
    {
      name: 'on an old release, by id',
      query: `release=${RELEASES[3]}`,
      pages: 100,
      where: `(desired_release_id = '${RELEASES[3]}' OR current_release_id = '${RELEASES[3]}')`,
      order: 'machine_id',
    },
    {
      name: 'failed in a group, seen last first',
      query: 'group=group-7&state=failed&sort=lastSeen',
      pages: 1,
      where: `group_id = 'group-7' AND state = 'FAILED'`,
      order: `COALESCE(last_seen, '-infinity'), machine_id`,
    },
    {
      name: 'hostname prefix',
      query: 'q=host-0123',
      pages: 1,
      where: `((COALESCE(hostname, '') COLLATE "C") LIKE 'host-0123%' OR (serial COLLATE "C") LIKE 'host-0123%')`,
      order: 'machine_id',
    },
  ];
}
