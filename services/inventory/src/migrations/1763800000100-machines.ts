import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Machines1763800000100 implements MigrationInterface {
  name = 'Machines1763800000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE machine (
        machine_id    uuid PRIMARY KEY,
        site_id       text NOT NULL,
        group_id      text,
        profile_id    text,
        labels        jsonb NOT NULL DEFAULT '{}',
        state         text NOT NULL,
        smbios_uuid   text,
        serial        text,
        macs          text[] NOT NULL,
        hardware      jsonb NOT NULL DEFAULT '{}',
        hostname      text,
        revision      bigint NOT NULL,
        discovered_at timestamptz NOT NULL,
        updated_at    timestamptz NOT NULL
      )`);
    await q.query('CREATE INDEX machine_site_state ON machine (site_id, state)');
    await q.query(`
      CREATE TABLE machine_history (
        id         bigserial PRIMARY KEY,
        machine_id uuid NOT NULL,
        event_id   text NOT NULL,
        kind       text NOT NULL,
        revision   bigint NOT NULL,
        detail     jsonb NOT NULL DEFAULT '{}',
        at         timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE INDEX machine_history_machine ON machine_history (machine_id, id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE machine_history');
    await q.query('DROP TABLE machine');
  }
}
