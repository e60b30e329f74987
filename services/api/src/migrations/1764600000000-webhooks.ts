import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhooks and their deliveries. A delivery row is written in the transaction that claims the
 * event in the inbox (one per matching webhook), then sent by whichever instance claims it
 * first (`FOR UPDATE SKIP LOCKED`). Deleting a webhook deletes its deliveries.
 */
export class Webhooks1764600000000 implements MigrationInterface {
  name = 'Webhooks1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook (
        webhook_id uuid PRIMARY KEY,
        url        text NOT NULL,
        types      text[] NOT NULL,
        site_id    text,
        secret     text NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE INDEX webhook_created ON webhook (created_at DESC, webhook_id DESC)');
    await q.query(`
      CREATE TABLE webhook_delivery (
        delivery_id     uuid PRIMARY KEY,
        webhook_id      uuid NOT NULL REFERENCES webhook (webhook_id) ON DELETE CASCADE,
        event_id        text NOT NULL,
        event_type      text NOT NULL,
        body            text NOT NULL,
        state           text NOT NULL DEFAULT 'pending',
        attempts        integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_status     integer,
        last_error      text,
        created_at      timestamptz NOT NULL DEFAULT now(),
        delivered_at    timestamptz,
        UNIQUE (webhook_id, event_id)
      )`);
    await q.query(
      `CREATE INDEX webhook_delivery_due ON webhook_delivery (next_attempt_at) WHERE state = 'pending'`,
    );
    await q.query(
      'CREATE INDEX webhook_delivery_page ON webhook_delivery (webhook_id, created_at DESC, delivery_id DESC)',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE webhook_delivery');
    await q.query('DROP TABLE webhook');
  }
}
