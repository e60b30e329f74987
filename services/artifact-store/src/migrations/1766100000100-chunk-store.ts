import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The chunk store as ingest fills it: manifests and the chunks they use, releases with their
 * files, channels, signed documents, what keeps a release alive (pins) and each build's
 * ingest. Replaces the first draft's release tables, which nothing ever wrote.
 */
export class ChunkStore1766100000100 implements MigrationInterface {
  name = 'ChunkStore1766100000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE release_chunk');
    await q.query('DROP TABLE release');
    // seen_at: the last time ingest stored or found the chunk; GC spares anything seen within its grace.
    await q.query('ALTER TABLE chunk ADD COLUMN seen_at timestamptz NOT NULL DEFAULT now()');
    await q.query(`
      CREATE TABLE manifest (
        sha256         text PRIMARY KEY,
        file_sha256    text NOT NULL,
        length_bytes   bigint NOT NULL,
        chunk_count    integer NOT NULL,
        stored_bytes   bigint NOT NULL,
        chunking       text NOT NULL,
        json_bytes     integer NOT NULL,
        created_at     timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE manifest_chunk (
        manifest_sha256  text NOT NULL REFERENCES manifest (sha256) ON DELETE CASCADE,
        sha256           text NOT NULL REFERENCES chunk (sha256),
        PRIMARY KEY (manifest_sha256, sha256)
      )`);
    await q.query('CREATE INDEX manifest_chunk_sha256 ON manifest_chunk (sha256)');
    await q.query(`
      CREATE TABLE release (
        release_id          uuid PRIMARY KEY,
        image_name          text NOT NULL,
        version             text NOT NULL,
        sequence            integer NOT NULL,
        architecture        text NOT NULL,
        state               text NOT NULL CHECK (state IN ('published', 'revoked')),
        rollback_floor      integer NOT NULL DEFAULT 0,
        compatibility       jsonb NOT NULL,
        build_id            uuid UNIQUE,
        recipe_digest       text,
        total_size_bytes    bigint NOT NULL,
        new_stored_bytes    bigint NOT NULL,
        reused_bytes        bigint NOT NULL,
        published_at        timestamptz NOT NULL DEFAULT now(),
        revoked_at          timestamptz,
        revoked_reason      text,
        UNIQUE (image_name, architecture, sequence)
      )`);
    await q.query(`
      CREATE TABLE release_file (
        release_id       uuid NOT NULL REFERENCES release (release_id) ON DELETE CASCADE,
        name             text NOT NULL,
        kind             text NOT NULL,
        manifest_sha256  text NOT NULL REFERENCES manifest (sha256),
        sha256           text NOT NULL,
        length_bytes     bigint NOT NULL,
        PRIMARY KEY (release_id, name)
      )`);
    await q.query('CREATE INDEX release_file_manifest ON release_file (manifest_sha256)');
    // The current signed document of each release; re-issued on promotion, revocation and before expiry.
    await q.query(`
      CREATE TABLE release_document (
        release_id   uuid PRIMARY KEY REFERENCES release (release_id) ON DELETE CASCADE,
        body         bytea NOT NULL,
        sha256       text NOT NULL,
        issued_at    timestamptz NOT NULL,
        expires_at   timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE channel (
        channel       text NOT NULL,
        image_name    text NOT NULL,
        architecture  text NOT NULL,
        release_id    uuid NOT NULL REFERENCES release (release_id),
        updated_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (channel, image_name, architecture)
      )`);
    // What keeps a release from collection besides channels: machines running it, open rollouts.
    await q.query(`
      CREATE TABLE release_pin (
        holder      text PRIMARY KEY,
        release_id  uuid NOT NULL,
        revision    bigint NOT NULL DEFAULT 0,
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE INDEX release_pin_release ON release_pin (release_id)');
    await q.query(`
      CREATE TABLE ingest (
        build_id      uuid PRIMARY KEY,
        state         text NOT NULL CHECK (state IN ('running', 'published', 'failed')),
        release_id    uuid,
        error         text,
        started_at    timestamptz NOT NULL DEFAULT now(),
        finished_at   timestamptz
      )`);
    await q.query(`
      CREATE TABLE site_cache (
        cache_id      text PRIMARY KEY,
        site_id       text NOT NULL,
        url           text NOT NULL,
        status        jsonb NOT NULL,
        announced_at  timestamptz NOT NULL,
        seq           bigint NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'site_cache',
      'ingest',
      'release_pin',
      'channel',
      'release_document',
      'release_file',
      'release',
      'manifest_chunk',
      'manifest',
    ])
      await q.query(`DROP TABLE ${table}`);
    await q.query('ALTER TABLE chunk DROP COLUMN seen_at');
    await q.query(`
      CREATE TABLE release (
        release_id uuid PRIMARY KEY, image_name text NOT NULL, version text NOT NULL,
        architecture text NOT NULL, manifest_key text NOT NULL, manifest_sha256 text NOT NULL,
        signing_key_id text NOT NULL, total_size_bytes bigint NOT NULL, chunk_count integer NOT NULL,
        published_at timestamptz NOT NULL DEFAULT now(), UNIQUE (image_name, version, architecture))`);
    await q.query(`
      CREATE TABLE release_chunk (
        release_id uuid NOT NULL REFERENCES release (release_id), ordinal integer NOT NULL,
        sha256 text NOT NULL REFERENCES chunk (sha256), PRIMARY KEY (release_id, ordinal))`);
  }
}
