import type { MigrationInterface, QueryRunner } from 'typeorm';

/** One row per applied event, with no unique key: a duplicated effect shows up as two rows. */
export class BenchEffects1763800000900 implements MigrationInterface {
  name = 'BenchEffects1763800000900';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE bench_effect (event_id text NOT NULL, agent_id text NOT NULL, seq bigint NOT NULL)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE bench_effect');
  }
}
