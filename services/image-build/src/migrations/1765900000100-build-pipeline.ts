import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a build needs from submission to result: the bundle's blobs, the intent to enqueue
 * (written with the build, relayed to the queue), its log, its packages, its progress and outputs.
 */
export class BuildPipeline1765900000100 implements MigrationInterface {
  name = 'BuildPipeline1765900000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE recipe_blob (
        sha256      text PRIMARY KEY,
        bytes       bytea NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      ALTER TABLE build
        ADD COLUMN priority      text NOT NULL DEFAULT 'normal',
        ADD COLUMN cache         text NOT NULL DEFAULT 'use',
        ADD COLUMN percent       integer NOT NULL DEFAULT 0,
        ADD COLUMN phase_message text,
        ADD COLUMN retryable     boolean,
        ADD COLUMN attempt       integer NOT NULL DEFAULT 0,
        ADD COLUMN revision      bigint NOT NULL DEFAULT 0,
        ADD COLUMN started_at    timestamptz,
        ADD COLUMN finished_at   timestamptz,
        ADD COLUMN outputs       jsonb NOT NULL DEFAULT '[]',
        ADD COLUMN package_count integer NOT NULL DEFAULT 0,
        ADD COLUMN layer_cache   text,
        ADD COLUMN provenance    jsonb,
        ADD COLUMN sbom          jsonb,
        ADD COLUMN worker        text`);
    await q.query('CREATE INDEX build_recipe ON build (recipe_digest, created_at)');
    // A build to put on the queue: written in the build's transaction, deleted once BullMQ has it.
    await q.query(`
      CREATE TABLE build_enqueue (
        build_id    uuid PRIMARY KEY REFERENCES build (build_id) ON DELETE CASCADE,
        priority    integer NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE build_log (
        build_id  uuid NOT NULL REFERENCES build (build_id) ON DELETE CASCADE,
        seq       integer NOT NULL,
        at        timestamptz NOT NULL,
        line      text NOT NULL,
        PRIMARY KEY (build_id, seq)
      )`);
    await q.query(`
      CREATE TABLE build_package (
        build_id        uuid NOT NULL REFERENCES build (build_id) ON DELETE CASCADE,
        name            text NOT NULL,
        version         text NOT NULL,
        architecture    text NOT NULL,
        source          text NOT NULL,
        source_version  text NOT NULL,
        sha256          text NOT NULL,
        size_bytes      bigint NOT NULL,
        stanza          text NOT NULL,
        PRIMARY KEY (build_id, name, architecture)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE build_package');
    await q.query('DROP TABLE build_log');
    await q.query('DROP TABLE build_enqueue');
    await q.query('DROP INDEX build_recipe');
    await q.query(`
      ALTER TABLE build
        DROP COLUMN priority, DROP COLUMN cache, DROP COLUMN percent, DROP COLUMN phase_message,
        DROP COLUMN retryable, DROP COLUMN attempt, DROP COLUMN revision, DROP COLUMN started_at,
        DROP COLUMN finished_at, DROP COLUMN outputs, DROP COLUMN package_count,
        DROP COLUMN layer_cache, DROP COLUMN provenance, DROP COLUMN sbom, DROP COLUMN worker`);
    await q.query('DROP TABLE recipe_blob');
  }
}
