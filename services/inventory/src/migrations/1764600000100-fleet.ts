import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 14: the catalog (sites, groups, profiles, assignment rules), the machine's lifecycle,
 * release, agent and last-seen columns, history with its actor and before/after, and the
 * indexes that keep every filter and sort of `GET /v1/machines` an index walk at 100,000 rows.
 */
export class Fleet1764600000100 implements MigrationInterface {
  name = 'Fleet1764600000100';

  async up(q: QueryRunner): Promise<void> {
    // One sequence for the whole catalog: a revision keeps increasing across delete and re-create,
    // and revisions of different sites compare (discovery's copy of site networks relies on it).
    await q.query('CREATE SEQUENCE catalog_revision');
    await q.query(`
      CREATE TABLE site (
        site_id               text PRIMARY KEY,
        name                  text NOT NULL,
        time_zone             text NOT NULL,
        maintenance_windows   jsonb NOT NULL DEFAULT '[]',
        networks              cidr[] NOT NULL DEFAULT '{}',
        bandwidth_budget_kbps bigint NOT NULL DEFAULT 0,
        cache_url             text,
        revision              bigint NOT NULL,
        created_at            timestamptz NOT NULL DEFAULT now(),
        updated_at            timestamptz NOT NULL DEFAULT now()
      )`);
    // No network in two sites: the one-row-per-network table the site's writes keep in step.
    await q.query(`
      CREATE TABLE site_network (
        cidr    cidr PRIMARY KEY,
        site_id text NOT NULL REFERENCES site (site_id) ON DELETE CASCADE
      )`);
    await q.query('CREATE INDEX site_network_site ON site_network (site_id)');
    await q.query(`
      CREATE TABLE machine_group (
        group_id    text PRIMARY KEY,
        name        text NOT NULL,
        description text NOT NULL DEFAULT '',
        revision    bigint NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE profile (
        profile_id      text PRIMARY KEY,
        name            text NOT NULL,
        release_channel text NOT NULL,
        configuration   jsonb NOT NULL DEFAULT '{}',
        revision        bigint NOT NULL,
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE assignment_rule (
        rule_id    text PRIMARY KEY,
        priority   integer NOT NULL,
        match      jsonb NOT NULL,
        assign     jsonb NOT NULL,
        enabled    boolean NOT NULL DEFAULT true,
        revision   bigint NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE INDEX assignment_rule_order ON assignment_rule (priority, rule_id) WHERE enabled');

    await q.query(`
      ALTER TABLE machine
        ADD COLUMN agent_id           text,
        ADD COLUMN desired_release_id uuid,
        ADD COLUMN current_release_id uuid,
        ADD COLUMN last_seen          timestamptz,
        ADD COLUMN pinned             boolean NOT NULL DEFAULT false,
        ADD COLUMN ip_address         inet,
        ADD COLUMN os                 jsonb,
        ADD COLUMN agent_facts_seq    bigint NOT NULL DEFAULT 0,
        ADD COLUMN agent_beat_seq     bigint NOT NULL DEFAULT 0`);
    await q.query('CREATE UNIQUE INDEX machine_agent ON machine (agent_id) WHERE agent_id IS NOT NULL');
    await q.query('CREATE INDEX machine_smbios_uuid ON machine (smbios_uuid) WHERE smbios_uuid IS NOT NULL');
    await q.query('CREATE INDEX machine_serial ON machine (serial COLLATE "C")');
    await q.query('CREATE INDEX machine_macs ON machine USING gin (macs)');
    await q.query('CREATE INDEX machine_labels ON machine USING gin (labels)');
    // Each sort is (key, machine_id), the key NULL-free so that a keyset row comparison holds.
    const sorts = {
      last_seen: `(COALESCE(last_seen, '-infinity'::timestamptz)), machine_id`,
      // Byte order: the same under every database locale, and a `q` prefix can walk it.
      hostname: `(COALESCE(hostname, '') COLLATE "C"), machine_id`,
      updated: 'updated_at, machine_id',
      id: 'machine_id',
    };
    for (const [name, key] of Object.entries(sorts)) {
      if (name !== 'id') await q.query(`CREATE INDEX machine_by_${name} ON machine (${key})`);
      // The narrowing filters, each with every sort behind it.
      for (const filter of ['site_id', 'state', 'group_id', 'profile_id']) {
        await q.query(`CREATE INDEX machine_${filter}_by_${name} ON machine (${filter}, ${key})`);
      }
    }
    await q.query('DROP INDEX machine_site_state');
    await q.query(
      'CREATE INDEX machine_desired_release ON machine (desired_release_id) WHERE desired_release_id IS NOT NULL',
    );
    await q.query(
      'CREATE INDEX machine_current_release ON machine (current_release_id) WHERE current_release_id IS NOT NULL',
    );

    await q.query(`
      ALTER TABLE machine_history
        ADD COLUMN actor   text NOT NULL DEFAULT 'discovery',
        ADD COLUMN changes jsonb NOT NULL DEFAULT '{}'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE machine_history DROP COLUMN actor, DROP COLUMN changes');
    await q.query(`
      ALTER TABLE machine
        DROP COLUMN agent_id, DROP COLUMN desired_release_id, DROP COLUMN current_release_id,
        DROP COLUMN last_seen, DROP COLUMN pinned, DROP COLUMN ip_address, DROP COLUMN os,
        DROP COLUMN agent_facts_seq, DROP COLUMN agent_beat_seq`);
    for (const n of [
      'machine_serial',
      'machine_by_updated',
      'machine_labels',
      'machine_macs',
      'machine_smbios_uuid',
    ]) {
      await q.query(`DROP INDEX IF EXISTS ${n}`);
    }
    for (const n of ['site_id', 'state', 'group_id', 'profile_id']) {
      await q.query(`DROP INDEX IF EXISTS machine_${n}_by_updated, machine_${n}_by_id`);
    }
    await q.query('CREATE INDEX machine_site_state ON machine (site_id, state)');
    await q.query('DROP TABLE assignment_rule, profile, machine_group, site_network, site');
    await q.query('DROP SEQUENCE catalog_revision');
  }
}
