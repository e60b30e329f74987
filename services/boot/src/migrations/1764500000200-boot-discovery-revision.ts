import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The revision of the discovery event whose MACs boot holds, so an older one never overwrites them. */
export class BootDiscoveryRevision1764500000200 implements MigrationInterface {
  name = 'BootDiscoveryRevision1764500000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE boot_machine ADD COLUMN discovery_revision bigint NOT NULL DEFAULT 0');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE boot_machine DROP COLUMN discovery_revision');
  }
}
