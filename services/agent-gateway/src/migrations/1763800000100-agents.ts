import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Enrolled agents, their credentials and the last status sequence taken from each. */
export class Agents1763800000100 implements MigrationInterface {
  name = 'Agents1763800000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE agent (
        agent_id          text PRIMARY KEY,
        site_id           text NOT NULL,
        machine_id        uuid,
        key_fingerprint   text,
        enrolled_at       timestamptz NOT NULL DEFAULT now(),
        revoked_at        timestamptz,
        last_seen         timestamptz,
        last_seq          bigint NOT NULL DEFAULT 0
      )`);
    await q.query('CREATE INDEX agent_site ON agent (site_id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE agent');
  }
}
