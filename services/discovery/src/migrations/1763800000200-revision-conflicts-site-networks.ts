import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Item 8 of the hardening issue: a revision per identity record (MachineDiscovered.revision),
 * conflicts kept for an operator, discovery's own table of site networks, and the site that
 * each report was given beside the one it claimed.
 */
export class RevisionConflictsSiteNetworks1763800000200 implements MigrationInterface {
  name = 'RevisionConflictsSiteNetworks1763800000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE machine_identity ADD COLUMN revision bigint NOT NULL DEFAULT 1');
    await q.query(`
      CREATE TABLE identity_conflict (
        id                bigserial PRIMARY KEY,
        conflict_key      text NOT NULL UNIQUE,
        outcome           text NOT NULL,
        machine_id        uuid,
        other_machine_ids uuid[] NOT NULL,
        keys              text[] NOT NULL,
        reason            text NOT NULL,
        report            jsonb NOT NULL,
        first_seen        timestamptz NOT NULL DEFAULT now(),
        last_seen         timestamptz NOT NULL DEFAULT now(),
        report_count      integer NOT NULL DEFAULT 1
      )`);
    await q.query('CREATE INDEX identity_conflict_machine ON identity_conflict (machine_id)');
    await q.query(`
      CREATE TABLE site_networks (
        cidr       cidr PRIMARY KEY,
        site_id    text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE INDEX site_networks_site ON site_networks (site_id)');
    await q.query('CREATE INDEX site_networks_cidr ON site_networks USING gist (cidr inet_ops)');
    await q.query('ALTER TABLE discovery_report ADD COLUMN site_id text, ADD COLUMN claimed_site_id text');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE discovery_report DROP COLUMN site_id, DROP COLUMN claimed_site_id');
    await q.query('DROP TABLE site_networks');
    await q.query('DROP TABLE identity_conflict');
    await q.query('ALTER TABLE machine_identity DROP COLUMN revision');
  }
}
