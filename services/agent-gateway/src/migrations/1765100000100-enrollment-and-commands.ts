import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Bootstrap tokens, agent keys and credentials, and the commands waiting for their agents.
 * Secrets are stored as SHA-256 only. The command row is the truth about a command: the
 * delivery signal between instances is fire-and-forget.
 */
export class EnrollmentAndCommands1765100000100 implements MigrationInterface {
  name = 'EnrollmentAndCommands1765100000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE agent
        ADD COLUMN public_key       bytea,
        ADD COLUMN hostname         text,
        ADD COLUMN agent_version    text,
        ADD COLUMN revoked_reason   text,
        ADD COLUMN gateway_instance text`);
    await q.query('CREATE INDEX agent_machine ON agent (machine_id)');
    await q.query(`
      CREATE TABLE bootstrap_token (
        token_id     text PRIMARY KEY,
        secret_hash  bytea NOT NULL,
        site_id      text NOT NULL,
        note         text,
        created_at   timestamptz NOT NULL DEFAULT now(),
        expires_at   timestamptz NOT NULL,
        revoked_at   timestamptz,
        claimed_at   timestamptz,
        claimed_by   text
      )`);
    await q.query('CREATE INDEX bootstrap_token_created ON bootstrap_token (created_at DESC, token_id DESC)');
    await q.query(`
      CREATE TABLE agent_credential (
        credential_id text PRIMARY KEY,
        agent_id      text NOT NULL REFERENCES agent (agent_id),
        secret_hash   bytea NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        expires_at    timestamptz NOT NULL,
        revoked_at    timestamptz
      )`);
    await q.query('CREATE INDEX agent_credential_agent ON agent_credential (agent_id)');
    await q.query(
      'CREATE INDEX agent_credential_revoked ON agent_credential (revoked_at) WHERE revoked_at IS NOT NULL',
    );
    await q.query(`
      CREATE TABLE agent_command (
        command_id    text PRIMARY KEY,
        agent_id      text NOT NULL,
        site_id       text NOT NULL,
        kind          text NOT NULL,
        issued_by     text NOT NULL DEFAULT '',
        issued_at     timestamptz,
        expires_at    timestamptz,
        signed        bytea NOT NULL,
        state         text NOT NULL CHECK (state IN ('pending', 'delivered', 'expired', 'refused')),
        refusal       text,
        recorded_at   timestamptz NOT NULL DEFAULT now(),
        delivered_at  timestamptz
      )`);
    await q.query(
      `CREATE INDEX agent_command_pending ON agent_command (agent_id, expires_at) WHERE state = 'pending'`,
    );
    await q.query(
      'CREATE INDEX agent_command_by_agent ON agent_command (agent_id, recorded_at DESC, command_id DESC)',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE agent_command');
    await q.query('DROP TABLE agent_credential');
    await q.query('DROP TABLE bootstrap_token');
    await q.query('DROP INDEX agent_machine');
    await q.query(`ALTER TABLE agent DROP COLUMN public_key, DROP COLUMN hostname, DROP COLUMN agent_version,
      DROP COLUMN revoked_reason, DROP COLUMN gateway_instance`);
  }
}
