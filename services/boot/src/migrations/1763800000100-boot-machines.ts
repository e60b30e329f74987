import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Boot's own projection of inventory: what it needs to answer a PXE client by MAC. */
export class BootMachines1763800000100 implements MigrationInterface {
  name = 'BootMachines1763800000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE boot_machine (
        machine_id  uuid PRIMARY KEY,
        site_id     text NOT NULL,
        macs        text[] NOT NULL DEFAULT '{}',
        state       text NOT NULL,
        revision    bigint NOT NULL,
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE INDEX boot_machine_macs ON boot_machine USING gin (macs)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE boot_machine');
  }
}
