import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Who created and who revoked each API token (the tokens themselves live in the API_TOKENS KV). */
export class TokenAudit1764500000000 implements MigrationInterface {
  name = 'TokenAudit1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE token_audit (
        audit_id   bigserial PRIMARY KEY,
        token_id   text NOT NULL,
        action     text NOT NULL,
        actor      text NOT NULL,
        token_name text NOT NULL,
        at         timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE INDEX token_audit_token ON token_audit (token_id, at)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE token_audit');
  }
}
