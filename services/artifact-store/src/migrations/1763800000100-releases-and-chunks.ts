import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Content-defined chunks (stored once, by SHA-256) and the releases whose manifests list them. */
export class ReleasesAndChunks1763800000100 implements MigrationInterface {
  name = 'ReleasesAndChunks1763800000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE chunk (
        sha256        text PRIMARY KEY,
        size_bytes    bigint NOT NULL,
        stored_bytes  bigint NOT NULL,
        compression   text NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE release (
        release_id        uuid PRIMARY KEY,
        image_name        text NOT NULL,
        version           text NOT NULL,
        architecture      text NOT NULL,
        manifest_key      text NOT NULL,
        manifest_sha256   text NOT NULL,
        signing_key_id    text NOT NULL,
        total_size_bytes  bigint NOT NULL,
        chunk_count       integer NOT NULL,
        published_at      timestamptz NOT NULL DEFAULT now(),
        UNIQUE (image_name, version, architecture)
      )`);
    await q.query(`
      CREATE TABLE release_chunk (
        release_id  uuid NOT NULL REFERENCES release (release_id),
        ordinal     integer NOT NULL,
        sha256      text NOT NULL REFERENCES chunk (sha256),
        PRIMARY KEY (release_id, ordinal)
      )`);
    await q.query('CREATE INDEX release_chunk_sha256 ON release_chunk (sha256)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE release_chunk');
    await q.query('DROP TABLE release');
    await q.query('DROP TABLE chunk');
  }
}
