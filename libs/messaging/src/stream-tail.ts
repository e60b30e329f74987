import {
  DeliverPolicy,
  type Consumer,
  type ConsumerMessages,
  type OrderedConsumerOptions,
} from '@nats-io/jetstream';
import type { BusConnection } from './bus-connection.js';
import { fromMsgHdrs, type HeaderMap } from './event-envelope.js';

/** Where a tail starts reading its stream. */
export type TailStart =
  /** After this stream sequence (0: from the first message). */
  | { afterSeq: number }
  /** From the first message stored at or after this time. */
  | { since: Date };

export interface StreamTailOptions {
  stream: string;
  /**
   * One subject filter (nats-server 2.9 takes one per consumer): the server sends only what
   * matches. Undefined: the whole stream.
   */
  filterSubject?: string;
  start: TailStart;
  /** Messages asked for per pull: what the client may hold while its reader is busy. */
  batch?: number;
  /** The server removes the consumer after this long without a pull (a crashed reader). */
  inactiveMs?: number;
}

/** One message of the stream, with its position. */
export interface TailedMessage {
  stream: string;
  seq: number;
  subject: string;
  headers: HeaderMap;
  data: Uint8Array;
}

// A pull stays open this long when nothing comes; then the next one is sent.
const PULL_EXPIRES_MS = 30_000;

/**
 * A read of one stream from a chosen position with an ordered consumer: ephemeral, in memory on
 * the server, no acks, re-created by the client from its last position if a message goes
 * missing. For readers that come and go (a server-sent-events connection), never for work that
 * must be done once: that is what durables are for.
 *
 * Back-pressure: it pulls `batch` messages at a time and only when the reader asks for the
 * next one, so a slow reader holds at most one batch in this process.
 */
export class StreamTail {
  private current: ConsumerMessages | undefined;
  private closed = false;

  private constructor(
    private readonly consumer: Consumer,
    private readonly stream: string,
    private readonly batch: number,
  ) {}

  static async open(bus: BusConnection, options: StreamTailOptions): Promise<StreamTail> {
    const start: Partial<OrderedConsumerOptions> =
      'since' in options.start
        ? { deliver_policy: DeliverPolicy.StartTime, opt_start_time: options.start.since.toISOString() }
        : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: options.start.afterSeq + 1 };
    const consumer = await bus.js.consumers.get(options.stream, {
      ...start,
      ...(options.filterSubject ? { filter_subjects: options.filterSubject } : {}),
      inactive_threshold: options.inactiveMs ?? 30_000,
    });
    return new StreamTail(consumer, options.stream, options.batch ?? 64);
  }

  /** The stream's last sequence now: a tail that starts after it sees only what comes next. */
  static async lastSeq(bus: BusConnection, stream: string): Promise<number> {
    return (await bus.jsm.streams.info(stream)).state.last_seq;
  }

  /** Messages in stream order, for ever, until `close()`. */
  async *messages(): AsyncGenerator<TailedMessage> {
    while (!this.closed) {
      this.current = await this.consumer.fetch({ max_messages: this.batch, expires: PULL_EXPIRES_MS });
      for await (const msg of this.current) {
        yield {
          stream: this.stream,
          seq: msg.seq,
          subject: msg.subject,
          headers: fromMsgHdrs(msg.headers),
          data: msg.data,
        };
        if (this.closed) break;
      }
    }
  }

  /** Stops pulling and deletes the consumer on the server (it would expire by itself anyway). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // stop(), not close(): close() waits for the iterator to be drained, and a reader that
    // stopped reading never drains it.
    this.current?.stop();
    await this.consumer.delete().catch(() => undefined);
  }
}
