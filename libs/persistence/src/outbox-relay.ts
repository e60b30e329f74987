import type { DataSource, EntityManager } from 'typeorm';
import type { EventPublisher, HeaderMap, OutgoingMessage } from '@muster/messaging';

export interface OutboxRelayOptions {
  /** Rows published per round. */
  batchSize?: number;
  /** Sleep between rounds when the outbox is empty. */
  idleMs?: number;
  /** Sleep after a failed round (the bus is down, the database is down). */
  retryMs?: number;
  publishTimeoutMs?: number;
  onError?: (err: unknown) => void;
  onPublished?: (count: number) => void;
}

interface OutboxRow {
  seq: string;
  id: string;
  subject: string;
  headers: HeaderMap;
  payload: Buffer;
}

/**
 * Publishes committed outbox rows in order, then deletes them. One relay per schema is
 * active at a time (a transaction-scoped advisory lock), so two instances never interleave
 * or publish the same rows at once. A crash between publish and delete republishes with the
 * same message id, which JetStream de-duplicates (and consumers' inboxes beyond the window).
 */
export class OutboxRelay {
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private readonly o: Required<Omit<OutboxRelayOptions, 'onError' | 'onPublished'>> & OutboxRelayOptions;

  constructor(
    private readonly ds: DataSource,
    private readonly publisher: EventPublisher,
    options: OutboxRelayOptions = {},
  ) {
    this.o = { batchSize: 500, idleMs: 200, retryMs: 1_000, publishTimeoutMs: 5_000, ...options };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Ends after the round in progress; rows left are published by the next relay to run. */
  async stop(): Promise<void> {
    this.running = false;
    this.kick();
    await this.loop;
  }

  /** Publish now rather than at the next poll: call after a commit that added events. */
  kick(): void {
    this.wake?.();
  }

  /**
   * One round: publishes up to a batch and returns how many rows went out (0 if none, or if
   * another relay holds the lock). A partly failed round keeps what was acknowledged.
   */
  async relayOnce(): Promise<{ published: number; complete: boolean }> {
    return this.ds.transaction(async (manager) => {
      const [lock] = await manager.query<{ held: boolean }[]>(
        `SELECT pg_try_advisory_xact_lock(hashtext(current_schema() || '.outbox-relay')) AS held`,
      );
      if (!lock?.held) return { published: 0, complete: true };
      const rows = await manager.query<OutboxRow[]>(
        'SELECT seq, id, subject, headers, payload FROM outbox ORDER BY seq LIMIT $1',
        [this.o.batchSize],
      );
      if (rows.length === 0) return { published: 0, complete: true };
      const done = await this.publishInOrder(rows);
      await this.remove(manager, done);
      return { published: done.length, complete: done.length === rows.length };
    });
  }

  /**
   * Sends the whole batch pipelined on one connection (the server stores it in send order)
   * and returns the ids of the longest prefix that was acknowledged.
   */
  private async publishInOrder(rows: OutboxRow[]): Promise<string[]> {
    const results = await Promise.allSettled(
      rows.map((row) => this.publisher.publishPrepared(toMessage(row), this.o.publishTimeoutMs)),
    );
    const done: string[] = [];
    for (const [i, result] of results.entries()) {
      if (result.status === 'rejected') {
        this.o.onError?.(result.reason);
        break;
      }
      done.push(rows[i]!.id);
    }
    return done;
  }

  private async remove(manager: EntityManager, ids: string[]): Promise<void> {
    if (ids.length > 0) await manager.query('DELETE FROM outbox WHERE id = ANY($1::text[])', [ids]);
  }

  private async run(): Promise<void> {
    while (this.running) {
      let published = 0;
      let failed = false;
      try {
        const round = await this.relayOnce();
        published = round.published;
        failed = !round.complete;
        if (published > 0) this.o.onPublished?.(published);
      } catch (err) {
        failed = true;
        this.o.onError?.(err);
      }
      if (!failed && published >= this.o.batchSize) continue;
      await this.sleep(failed ? this.o.retryMs : this.o.idleMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}

function toMessage(row: OutboxRow): OutgoingMessage {
  return { id: row.id, subject: row.subject, headers: row.headers, payload: new Uint8Array(row.payload) };
}
