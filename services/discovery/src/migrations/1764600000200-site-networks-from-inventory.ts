import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 14: inventory owns sites and their networks; discovery's `site_networks` becomes its
 * local copy, written only from `inventory.site.changed` events. Each network row carries the
 * catalog revision that placed it, and each site the revision last applied, so that a late or
 * replayed event changes nothing (inventory's revisions come from one sequence over all sites).
 */
export class SiteNetworksFromInventory1764600000200 implements MigrationInterface {
  name = 'SiteNetworksFromInventory1764600000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE site_networks ADD COLUMN revision bigint NOT NULL DEFAULT 0');
    await q.query(`
      CREATE TABLE site_revision (
        site_id  text PRIMARY KEY,
        revision bigint NOT NULL,
        deleted  boolean NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE site_revision');
    await q.query('ALTER TABLE site_networks DROP COLUMN revision');
  }
}
