import type { DescMessage, MessageShape } from '@bufbuild/protobuf';
import type { Context } from '@opentelemetry/api';
import type { MessageContract } from '@muster/contracts';
import type { DeadLetterRecord } from './dead-letter.js';
import type { EventMetadata } from './event-envelope.js';

/** One decoded, validated message handed to a handler. */
export interface Delivery<M> {
  message: M;
  meta: EventMetadata;
  subject: string;
  /** 1 on first delivery (the server's count: a redelivery after a restart counts too). */
  deliveryCount: number;
  streamSequence: number;
  /**
   * The consumer span's context, a child of the producer's trace. Pass the delivery as
   * `cause` to `prepareMessage` / `Outbox.add` so that what it causes stays in its trace.
   */
  context: Context;
}

export type BatchHandler<M> = (deliveries: readonly Delivery<M>[]) => Promise<void>;

/**
 * Something a handler needs (PostgreSQL, a bucket, Redis). When a handler fails while a probe
 * says no, the failure is an outage, not the message's fault: no attempt is spent.
 */
export interface DependencyProbe {
  name: string;
  /** Resolves true when the dependency answers; false or a rejection means it is down. */
  check(): Promise<boolean>;
}

/** Told when a consumer starts holding its messages for an outage, and when it resumes. */
export interface OutageEvent {
  phase: 'start' | 'end';
  /** What is down (probe names, or the error that said so). */
  reason: string;
  /** Messages in hand, none of them nak'ed. */
  held: number;
}

export interface ConsumerOptions<S extends DescMessage> {
  contract: MessageContract<S>;
  /** Durable name: stable across restarts and shared by every instance of the service. */
  durable: string;
  handle: BatchHandler<MessageShape<S>>;
  /** Narrower subject than the contract's filter, e.g. one site. */
  filterSubject?: string;
  /** How many messages one handler call gets at most; 1 = one at a time. */
  batchSize?: number;
  /**
   * Handler failures (with every dependency healthy) before a message goes to dead letter.
   * Counted by the client from the server's delivery count; the server itself never gives up.
   */
  maxAttempts?: number;
  /** Unacknowledged messages this instance holds at most; it pulls more only as it settles some. */
  maxInFlight?: number;
  /** How long the server waits for an ack or a `working()` before it redelivers (a crashed consumer). */
  ackWaitMs?: number;
  /** Unacknowledged messages the server hands out at most, over every instance of the durable. */
  maxAckPending?: number;
  /** Delay before a failed message is redelivered, by attempt; the last one repeats. */
  retryDelaysMs?: readonly number[];
  /** What the handlers need; polled during an outage until every one answers. */
  dependencies?: readonly DependencyProbe[];
  /** Pauses between polls of the dependencies during an outage; the last one repeats. */
  outageBackoffMs?: readonly number[];
  onDeadLetter?: (record: DeadLetterRecord) => void;
  onError?: (err: unknown, context: string) => void;
  onOutage?: (event: OutageEvent) => void;
  /** Called with how many messages a handler call took and acknowledged. */
  onProcessed?: (count: number) => void;
}

type Callbacks = 'filterSubject' | 'onDeadLetter' | 'onError' | 'onOutage' | 'onProcessed';
export type ResolvedConsumerOptions<S extends DescMessage> = Required<Omit<ConsumerOptions<S>, Callbacks>> &
  ConsumerOptions<S>;

const DEFAULTS = {
  batchSize: 1,
  maxAttempts: 10,
  ackWaitMs: 30_000,
  maxAckPending: 1_000,
  retryDelaysMs: [500, 2_000, 10_000, 30_000, 60_000],
  dependencies: [],
  outageBackoffMs: [250, 500, 1_000, 2_000, 5_000],
} as const;

export function resolveConsumerOptions<S extends DescMessage>(
  options: ConsumerOptions<S>,
): ResolvedConsumerOptions<S> {
  const batchSize = options.batchSize ?? DEFAULTS.batchSize;
  const maxInFlight = options.maxInFlight ?? Math.max(100, batchSize * 2);
  if (maxInFlight < batchSize) {
    throw new RangeError(`maxInFlight (${maxInFlight}) must be at least batchSize (${batchSize})`);
  }
  if ((options.maxAttempts ?? DEFAULTS.maxAttempts) < 1) throw new RangeError('maxAttempts must be ≥ 1');
  const resolved = { ...DEFAULTS, ...options, batchSize, maxInFlight };
  // The server must be able to hand one instance all it may hold.
  resolved.maxAckPending = Math.max(resolved.maxAckPending, maxInFlight);
  return resolved;
}
