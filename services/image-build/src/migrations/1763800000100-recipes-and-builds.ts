import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Declarative recipes (by content digest) and the builds made from them. */
export class RecipesAndBuilds1763800000100 implements MigrationInterface {
  name = 'RecipesAndBuilds1763800000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE recipe (
        digest      text PRIMARY KEY,
        name        text NOT NULL,
        body        jsonb NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE INDEX recipe_name ON recipe (name, created_at)');
    await q.query(`
      CREATE TABLE build (
        build_id      uuid PRIMARY KEY,
        recipe_digest text NOT NULL REFERENCES recipe (digest),
        state         text NOT NULL,
        phase         text,
        error         text,
        created_at    timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE INDEX build_state ON build (state, created_at)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE build');
    await q.query('DROP TABLE recipe');
  }
}
