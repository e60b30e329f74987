import type pg from 'pg';

/** Five releases; most machines want the newest, some still run the one before. */
export const RELEASES = [
  '00000000-0000-4000-8000-000000000001',
  '00000000-0000-4000-8000-000000000002',
  '00000000-0000-4000-8000-000000000003',
  '00000000-0000-4000-8000-000000000004',
  '00000000-0000-4000-8000-000000000005',
];

/**
 * Loads `machines` machines over `sites` sites straight into inventory's `machine` table, in
 * one server-side INSERT … SELECT over generate_series (no row crosses the wire), then ANALYZE.
 * A fleet as operators run it: mostly deployed, a few failing or re-imaging; labels by role,
 * floor and a rare tier; last seen within the week (never for 5 %), hostnames for 97 %.
 */
export async function loadFleet(
  db: pg.Client,
  schema: string,
  machines: number,
  sites: number,
): Promise<void> {
  await db.query(`SET search_path = ${schema}`);
  await db.query(
    `INSERT INTO machine (
       machine_id, site_id, group_id, profile_id, labels, state, smbios_uuid, serial, macs, hardware,
       hostname, revision, discovery_revision, discovered_at, updated_at, agent_id,
       desired_release_id, current_release_id, last_seen, pinned, agent_facts_seq, agent_beat_seq)
     SELECT gen_random_uuid(),
            'site-' || lpad((i % $2)::text, 4, '0'),
            'group-' || (i % 40),
            'profile-' || (i % 12),
            jsonb_build_object('role', (ARRAY['till', 'kiosk', 'server', 'pos', 'camera'])[1 + i % 5],
                               'floor', (i % 7)::text)
              || CASE WHEN i % 100 = 0 THEN '{"tier": "gold"}'::jsonb ELSE '{}'::jsonb END,
            CASE WHEN h < 80 THEN 'DEPLOYED' WHEN h < 88 THEN 'ASSIGNED' WHEN h < 92 THEN 'PROVISIONING'
                 WHEN h < 95 THEN 'DISCOVERED' WHEN h < 97 THEN 'FAILED' WHEN h < 99 THEN 'REIMAGING'
                 ELSE 'RETIRED' END,
            gen_random_uuid()::text,
            'SN' || lpad(i::text, 7, '0'),
            ARRAY['52:54:' || lpad(to_hex((i >> 24) & 255), 2, '0') || ':' || lpad(to_hex((i >> 16) & 255), 2, '0')
                  || ':' || lpad(to_hex((i >> 8) & 255), 2, '0') || ':' || lpad(to_hex(i & 255), 2, '0')],
            '{"cpu": {"architecture": "amd64", "cores": 8}, "memoryBytes": "17179869184"}'::jsonb,
            CASE WHEN i % 33 = 0 THEN NULL ELSE 'host-' || lpad(i::text, 6, '0') END,
            1, 1, now() - interval '60 days', now() - random() * interval '30 days',
            CASE WHEN h < 80 THEN 'agent-' || i END,
            ($3::uuid[])[1 + (i % 10 > 6)::int],
            CASE WHEN h < 80 THEN ($3::uuid[])[1 + (i % 10 > 2)::int] END,
            CASE WHEN i % 20 = 0 THEN NULL ELSE now() - random() * interval '7 days' END,
            false, 0, 0
       FROM generate_series(1, $1) AS i, LATERAL (SELECT (hashint4(i) & 2147483647) % 100 AS h) AS d`,
    [machines, sites, [RELEASES[4], RELEASES[3]]],
  );
  await db.query('ANALYZE machine');
}
