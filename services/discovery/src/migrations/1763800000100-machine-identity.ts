import type { MigrationInterface, QueryRunner } from 'typeorm';

export class MachineIdentity1763800000100 implements MigrationInterface {
  name = 'MachineIdentity1763800000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE machine_identity (
        machine_id   uuid PRIMARY KEY,
        smbios_uuid  text,
        serial       text,
        macs         text[] NOT NULL,
        site_id      text NOT NULL,
        first_seen   timestamptz NOT NULL,
        last_seen    timestamptz NOT NULL,
        report_count integer NOT NULL
      )`);
    await q.query('CREATE INDEX machine_identity_smbios_uuid ON machine_identity (smbios_uuid)');
    await q.query('CREATE INDEX machine_identity_serial ON machine_identity (serial)');
    await q.query('CREATE INDEX machine_identity_macs ON machine_identity USING gin (macs)');
    await q.query(`
      CREATE TABLE discovery_report (
        id          bigserial PRIMARY KEY,
        machine_id  uuid,
        outcome     text NOT NULL,
        report      jsonb NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE INDEX discovery_report_machine ON discovery_report (machine_id, received_at)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE discovery_report');
    await q.query('DROP TABLE machine_identity');
  }
}
