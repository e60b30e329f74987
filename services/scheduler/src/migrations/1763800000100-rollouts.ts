import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Rollouts of a release over a selector in waves, and each machine's deployment in them. */
export class Rollouts1763800000100 implements MigrationInterface {
  name = 'Rollouts1763800000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE rollout (
        rollout_id  uuid PRIMARY KEY,
        release_id  uuid NOT NULL,
        selector    jsonb NOT NULL,
        waves       jsonb NOT NULL,
        state       text NOT NULL,
        wave_index  integer NOT NULL DEFAULT 0,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE deployment (
        deployment_id uuid PRIMARY KEY,
        rollout_id    uuid NOT NULL REFERENCES rollout (rollout_id),
        machine_id    uuid NOT NULL,
        site_id       text NOT NULL,
        wave_index    integer NOT NULL,
        state         text NOT NULL,
        updated_at    timestamptz NOT NULL DEFAULT now(),
        UNIQUE (rollout_id, machine_id)
      )`);
    await q.query('CREATE INDEX deployment_rollout_state ON deployment (rollout_id, state)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE deployment');
    await q.query('DROP TABLE rollout');
  }
}
