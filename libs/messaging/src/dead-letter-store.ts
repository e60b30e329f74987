import { AckPolicy, DeliverPolicy } from '@nats-io/jetstream';
import { deadLetter, headers as H } from '@muster/contracts';
import type { BusConnection } from './bus-connection.js';
import { fromMsgHdrs, toMsgHdrs, type HeaderMap } from './event-envelope.js';

/** One message in the dead-letter stream, as an operator sees it. */
export interface DeadLetterEntry {
  /** Sequence in the DEADLETTER stream: what `show`, `replay` and `purge` take. */
  seq: number;
  consumer: string;
  reason: string;
  storedAt: Date;
  originalSubject: string;
  originalStream: string;
  originalSequence: number;
  deliveries: number;
  /** The original event's CloudEvents id and type, when it had them. */
  eventId?: string;
  eventType?: string;
  /** Every header, the original event's and the `muster-dl-*` ones. */
  headers: HeaderMap;
  body: Uint8Array;
}

export interface Replayed {
  seq: number;
  subject: string;
  /** Sequence of the replayed copy in the original stream. */
  streamSequence: number;
}

const DL_HEADER_PREFIX = 'muster-dl-';

/**
 * What an operator does with dead letters: list, inspect, replay to the original subject once
 * the cause is fixed, and purge. A replay keeps the event's `ce-id`, so consumers that already
 * applied it skip it (their inbox has the id), and gets a new `Nats-Msg-Id`
 * (`<ce-id>:replay:<dl-seq>`), so the stream's de-duplication does not swallow it; the dead
 * letter is removed only once JetStream has acknowledged the replay.
 */
export class DeadLetterStore {
  constructor(private readonly bus: BusConnection) {}

  /** Every dead letter, oldest first; only one consumer's with `consumer`. */
  async list(filter: { consumer?: string } = {}): Promise<DeadLetterEntry[]> {
    const subject = filter.consumer ? deadLetter.subject(filter.consumer) : deadLetter.filter;
    const info = await this.bus.jsm.consumers.add(deadLetter.stream, {
      ack_policy: AckPolicy.None,
      deliver_policy: DeliverPolicy.All,
      filter_subject: subject,
      inactive_threshold: 30_000_000_000,
    });
    try {
      const consumer = await this.bus.js.consumers.get(deadLetter.stream, info.name);
      const entries: DeadLetterEntry[] = [];
      while (entries.length < info.num_pending) {
        const batch = await consumer.fetch({
          max_messages: Math.min(500, info.num_pending - entries.length),
          expires: 2_000,
        });
        let got = 0;
        for await (const m of batch) {
          entries.push(entryOf(m.seq, fromMsgHdrs(m.headers), m.data, m.time));
          got++;
        }
        if (got === 0) break; // purged while we read
      }
      return entries;
    } finally {
      await this.bus.jsm.consumers.delete(deadLetter.stream, info.name).catch(() => undefined);
    }
  }

  /** One dead letter by its sequence, or undefined when there is none. */
  async get(seq: number): Promise<DeadLetterEntry | undefined> {
    const stream = await this.bus.js.streams.get(deadLetter.stream);
    const m = await stream.getMessage({ seq }).catch(() => null);
    if (!m?.subject.startsWith('muster.deadletter.')) return undefined;
    return entryOf(m.seq, fromMsgHdrs(m.header), m.data, m.time);
  }

  /** Republishes the original body and headers to the original subject, then removes the dead letter. */
  async replay(seq: number): Promise<Replayed> {
    const entry = await this.get(seq);
    if (!entry) throw new DeadLetterNotFoundError(seq);
    const headers: HeaderMap = {};
    for (const [key, value] of Object.entries(entry.headers)) {
      if (!key.startsWith(DL_HEADER_PREFIX) && !key.startsWith('nats-')) headers[key] = value;
    }
    const ack = await this.bus.js.publish(entry.originalSubject, entry.body, {
      headers: toMsgHdrs(headers),
      msgID: `${entry.eventId ?? `${entry.originalStream}:${entry.originalSequence}`}:replay:${seq}`,
      expect: { streamName: entry.originalStream },
    });
    await this.remove(seq);
    return { seq, subject: entry.originalSubject, streamSequence: ack.seq };
  }

  /** Removes one dead letter; false when there was none. */
  async remove(seq: number): Promise<boolean> {
    if (!(await this.get(seq))) return false;
    return this.bus.jsm.streams.deleteMessage(deadLetter.stream, seq, false);
  }

  /** Removes one consumer's dead letters (or all), only those stored before `before` if given. */
  async purge(filter: { consumer?: string; before?: Date }): Promise<number> {
    if (!filter.before) {
      const subject = filter.consumer ? deadLetter.subject(filter.consumer) : deadLetter.filter;
      const { purged } = await this.bus.jsm.streams.purge(deadLetter.stream, { filter: subject });
      return purged;
    }
    let removed = 0;
    for (const entry of await this.list(filter.consumer ? { consumer: filter.consumer } : {})) {
      if (entry.storedAt >= filter.before) continue;
      if (await this.bus.jsm.streams.deleteMessage(deadLetter.stream, entry.seq, false)) removed++;
    }
    return removed;
  }
}

export class DeadLetterNotFoundError extends Error {
  override readonly name = 'DeadLetterNotFoundError';
  constructor(readonly seq: number) {
    super(`no dead letter with sequence ${seq}`);
  }
}

function entryOf(seq: number, headers: HeaderMap, body: Uint8Array, storedAt: Date): DeadLetterEntry {
  const eventId = headers[H.ceId];
  const eventType = headers[H.ceType];
  return {
    seq,
    consumer: headers[H.deadLetterConsumer] ?? '',
    reason: headers[H.deadLetterReason] ?? '',
    storedAt,
    originalSubject: headers[H.deadLetterOriginalSubject] ?? '',
    originalStream: headers[H.deadLetterOriginalStream] ?? '',
    originalSequence: Number(headers[H.deadLetterOriginalSequence] ?? 0),
    deliveries: Number(headers[H.deadLetterDeliveryCount] ?? 0),
    ...(eventId ? { eventId } : {}),
    ...(eventType ? { eventType } : {}),
    headers,
    body,
  };
}
