import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The revision of discovery's identity record last applied, so a late or replayed event is ignored. */
export class DiscoveryRevision1764500000100 implements MigrationInterface {
  name = 'DiscoveryRevision1764500000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE machine ADD COLUMN discovery_revision bigint NOT NULL DEFAULT 0');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE machine DROP COLUMN discovery_revision');
  }
}
