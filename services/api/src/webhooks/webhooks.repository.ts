import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { TimeCursor } from '@muster/runtime';
import { WebhookDeliveryEntity, WebhookEntity } from './webhook.entity.js';

/** A delivery claimed for sending, with what the sender needs. */
export interface ClaimedDelivery {
  deliveryId: string;
  webhookId: string;
  url: string;
  secret: string;
  eventId: string;
  eventType: string;
  body: string;
  attempts: number;
  createdAt: Date;
}

export interface NewDelivery {
  webhookId: string;
  eventId: string;
  eventType: string;
  body: string;
}

export interface PageRow {
  /** `created_at::text`, microseconds kept, for the cursor. */
  at: string;
}

@Injectable()
export class WebhooksRepository {
  constructor(@Inject(DataSource) readonly ds: DataSource) {}

  async create(row: Omit<WebhookEntity, 'createdAt'>): Promise<WebhookEntity> {
    await this.ds.getRepository(WebhookEntity).insert(row);
    return (await this.find(row.webhookId))!;
  }

  find(webhookId: string): Promise<WebhookEntity | null> {
    return this.ds.getRepository(WebhookEntity).findOneBy({ webhookId });
  }

  /** Deletes the webhook and every delivery of it; false when there was none. */
  async delete(webhookId: string): Promise<boolean> {
    const result = await this.ds.getRepository(WebhookEntity).delete({ webhookId });
    return (result.affected ?? 0) > 0;
  }

  /** Newest first; `after` is the position of the previous page's last row. */
  async page(limit: number, after?: TimeCursor): Promise<(WebhookEntity & PageRow)[]> {
    const q = this.ds
      .getRepository(WebhookEntity)
      .createQueryBuilder('w')
      .addSelect('w.created_at::text', 'at')
      .orderBy('w.created_at', 'DESC')
      .addOrderBy('w.webhook_id', 'DESC')
      .limit(limit);
    if (after) q.where('(w.created_at, w.webhook_id) < (:at::timestamptz, :id::uuid)', after);
    const { entities, raw } = await q.getRawAndEntities<{ at: string }>();
    return entities.map((e, i) => Object.assign(e, { at: raw[i]!.at }));
  }

  async deliveries(
    webhookId: string,
    limit: number,
    after?: TimeCursor,
  ): Promise<(WebhookDeliveryEntity & PageRow)[]> {
    const q = this.ds
      .getRepository(WebhookDeliveryEntity)
      .createQueryBuilder('d')
      .addSelect('d.created_at::text', 'at')
      .where('d.webhook_id = :webhookId', { webhookId })
      .orderBy('d.created_at', 'DESC')
      .addOrderBy('d.delivery_id', 'DESC')
      .limit(limit);
    if (after) q.andWhere('(d.created_at, d.delivery_id) < (:at::timestamptz, :id::uuid)', after);
    const { entities, raw } = await q.getRawAndEntities<{ at: string }>();
    return entities.map((e, i) => Object.assign(e, { at: raw[i]!.at }));
  }

  /** Every webhook, for the fan-out of a batch (read inside its transaction). */
  all(manager: EntityManager): Promise<WebhookEntity[]> {
    return manager.getRepository(WebhookEntity).find();
  }

  /**
   * Adds deliveries; one per (webhook, event) ever, so a redelivered event adds nothing even
   * past the inbox's horizon. Raw SQL: a bulk insert that skips conflicts.
   */
  async addDeliveries(manager: EntityManager, rows: readonly NewDelivery[]): Promise<void> {
    if (rows.length === 0) return;
    await manager.query(
      `INSERT INTO webhook_delivery (delivery_id, webhook_id, event_id, event_type, body)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[])
       ON CONFLICT (webhook_id, event_id) DO NOTHING`,
      [
        rows.map(() => randomUUID()),
        rows.map((r) => r.webhookId),
        rows.map((r) => r.eventId),
        rows.map((r) => r.eventType),
        rows.map((r) => r.body),
      ],
    );
  }

  /**
   * Claims up to `limit` due deliveries for `leaseMs`: their next attempt moves past the lease,
   * so no other instance takes them meanwhile, and one that dies holding them frees them when
   * the lease ends. Raw SQL: `FOR UPDATE SKIP LOCKED` lets instances claim side by side.
   */
  async claimDue(limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    // TypeORM answers an UPDATE … RETURNING on PostgreSQL with [rows, affected count].
    const [rows] = await this.ds.query<
      [
        {
          delivery_id: string;
          webhook_id: string;
          url: string;
          secret: string;
          event_id: string;
          event_type: string;
          body: string;
          attempts: number;
          created_at: Date;
        }[],
        number,
      ]
    >(
      `WITH due AS (
         SELECT delivery_id FROM webhook_delivery
         WHERE state = 'pending' AND next_attempt_at <= now()
         ORDER BY next_attempt_at
         LIMIT $1
         FOR UPDATE SKIP LOCKED
       )
       UPDATE webhook_delivery d
       SET next_attempt_at = now() + make_interval(secs => $2::double precision / 1000)
       FROM due, webhook w
       WHERE d.delivery_id = due.delivery_id AND w.webhook_id = d.webhook_id
       RETURNING d.delivery_id, d.webhook_id, w.url, w.secret, d.event_id, d.event_type, d.body,
                 d.attempts, d.created_at`,
      [limit, leaseMs],
    );
    return rows.map((r) => ({
      deliveryId: r.delivery_id,
      webhookId: r.webhook_id,
      url: r.url,
      secret: r.secret,
      eventId: r.event_id,
      eventType: r.event_type,
      body: r.body,
      attempts: r.attempts,
      createdAt: r.created_at,
    }));
  }

  /**
   * Forgets delivered and failed deliveries older than the retention; pending ones stay
   * whatever their age. A plain DELETE that any instance may run.
   */
  async purgeFinished(olderThanDays: number): Promise<number> {
    const [, removed] = await this.ds.query<[unknown, number]>(
      `DELETE FROM webhook_delivery
       WHERE state <> 'pending' AND created_at < now() - make_interval(days => $1)`,
      [olderThanDays],
    );
    return removed;
  }

  /** Records an attempt's outcome: delivered, retried at `retryAt`, or failed for good. */
  async recordAttempt(
    deliveryId: string,
    outcome:
      | { state: 'delivered'; status: number }
      | { state: 'pending'; status: number | null; error: string; retryAt: Date }
      | { state: 'failed'; status: number | null; error: string },
  ): Promise<void> {
    await this.ds.getRepository(WebhookDeliveryEntity).update(
      { deliveryId, state: 'pending' },
      {
        state: outcome.state,
        attempts: () => 'attempts + 1',
        lastStatus: outcome.status,
        lastError: outcome.state === 'delivered' ? null : outcome.error.slice(0, 1000),
        ...(outcome.state === 'pending' ? { nextAttemptAt: outcome.retryAt } : {}),
        ...(outcome.state === 'delivered' ? { deliveredAt: () => 'now()' } : {}),
      },
    );
  }
}
