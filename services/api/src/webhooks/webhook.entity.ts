import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A registered receiver of fleet events. */
@Entity({ name: 'webhook' })
export class WebhookEntity {
  @PrimaryColumn({ type: 'uuid', name: 'webhook_id' })
  webhookId!: string;

  @Column({ type: 'text' })
  url!: string;

  /** CloudEvents types or prefixes (`io.muster.inventory.*`); empty: every fleet event. */
  @Column({ type: 'text', array: true })
  types!: string[];

  @Column({ type: 'text', name: 'site_id', nullable: true })
  siteId!: string | null;

  /**
   * The HMAC key, kept as it is: signing needs the key itself (it cannot be hashed like a
   * token), and only the api service reads its schema.
   */
  @Column({ type: 'text' })
  secret!: string;

  @Column({ type: 'text', name: 'created_by' })
  createdBy!: string;

  @Column({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;
}

/** One event to one webhook, until it is delivered or given up. */
@Entity({ name: 'webhook_delivery' })
export class WebhookDeliveryEntity {
  @PrimaryColumn({ type: 'uuid', name: 'delivery_id' })
  deliveryId!: string;

  @Column({ type: 'uuid', name: 'webhook_id' })
  webhookId!: string;

  @Column({ type: 'text', name: 'event_id' })
  eventId!: string;

  @Column({ type: 'text', name: 'event_type' })
  eventType!: string;

  /** The CloudEvents JSON exactly as it is POSTed (and signed). */
  @Column({ type: 'text' })
  body!: string;

  @Column({ type: 'text' })
  state!: 'pending' | 'delivered' | 'failed';

  @Column({ type: 'integer' })
  attempts!: number;

  @Column({ type: 'timestamptz', name: 'next_attempt_at' })
  nextAttemptAt!: Date;

  @Column({ type: 'integer', name: 'last_status', nullable: true })
  lastStatus!: number | null;

  @Column({ type: 'text', name: 'last_error', nullable: true })
  lastError!: string | null;

  @Column({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', name: 'delivered_at', nullable: true })
  deliveredAt!: Date | null;
}
