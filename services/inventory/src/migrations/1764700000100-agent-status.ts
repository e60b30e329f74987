import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The last deployment status each machine's agent reported, and the seq it came with. */
export class AgentStatus1764700000100 implements MigrationInterface {
  name = 'AgentStatus1764700000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE machine
        ADD COLUMN last_status       jsonb,
        ADD COLUMN agent_status_seq  bigint NOT NULL DEFAULT 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE machine DROP COLUMN last_status, DROP COLUMN agent_status_seq');
  }
}
