import type { DescMessage, MessageShape } from '@bufbuild/protobuf';
import type { ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import { SpanKind, SpanStatusCode, context, trace, type Context, type Span } from '@opentelemetry/api';
import { dataSchemaOf, decode, InvalidMessageError, type MessageContract } from '@muster/contracts';
import type { BusConnection } from './bus-connection.js';
import { ensureDurableConsumer } from './consumer-setup.js';
import { sendToDeadLetter, type DeadLetterRecord } from './dead-letter.js';
import { PermanentFailureError } from './errors.js';
import { extractTraceContext, fromMsgHdrs, readMetadata, type EventMetadata } from './event-envelope.js';

const tracer = trace.getTracer('@muster/messaging');

/** One decoded, validated message handed to a handler. */
export interface Delivery<M> {
  message: M;
  meta: EventMetadata;
  subject: string;
  /** 1 on first delivery. */
  deliveryCount: number;
  streamSequence: number;
  /**
   * The consumer span's context, a child of the producer's trace. Pass the delivery as
   * `cause` to `prepareMessage` / `Outbox.add` so that what it causes stays in its trace.
   */
  context: Context;
}

export type BatchHandler<M> = (deliveries: readonly Delivery<M>[]) => Promise<void>;

export interface ConsumerOptions<S extends DescMessage> {
  contract: MessageContract<S>;
  /** Durable name: stable across restarts and shared by every instance of the service. */
  durable: string;
  handle: BatchHandler<MessageShape<S>>;
  /** Narrower subject than the contract's filter, e.g. one site. */
  filterSubject?: string;
  /** How many messages one handler call gets at most; 1 = one at a time. */
  batchSize?: number;
  /** Deliveries before a message goes to dead letter. */
  maxDeliver?: number;
  /** How long the server waits for an ack before it redelivers (a crashed consumer). */
  ackWaitMs?: number;
  maxAckPending?: number;
  /** Delay before a failed message is redelivered, by attempt; the last one repeats. */
  retryDelaysMs?: readonly number[];
  onDeadLetter?: (record: DeadLetterRecord) => void;
  onError?: (err: unknown, context: string) => void;
  /** Called with how many messages a handler call took and acknowledged. */
  onProcessed?: (count: number) => void;
}

const DEFAULTS = {
  batchSize: 1,
  maxDeliver: 10,
  ackWaitMs: 30_000,
  maxAckPending: 1_000,
  retryDelaysMs: [500, 2_000, 10_000, 30_000, 60_000],
};

interface Accepted<M> {
  msg: JsMsg;
  delivery: Delivery<M>;
  span: Span;
}

/**
 * A durable pull consumer with explicit acks. Messages are decoded and validated against
 * the contract; an invalid one goes to dead letter with the reason and the consumer carries
 * on. Handler failures are retried with back-off up to maxDeliver, then dead-lettered.
 * Under load, messages already received are handed over in batches (one transaction for
 * many events); at idle a message is handled as soon as it arrives.
 */
export class DurableConsumer<S extends DescMessage> {
  private readonly buffer: JsMsg[] = [];
  private wake: (() => void) | undefined;
  private stopped = false;
  private messages: ConsumerMessages | undefined;
  private worker: Promise<void> | undefined;
  private readonly options: Required<
    Omit<ConsumerOptions<S>, 'filterSubject' | 'onDeadLetter' | 'onError' | 'onProcessed'>
  > &
    ConsumerOptions<S>;

  private constructor(
    private readonly bus: BusConnection,
    options: ConsumerOptions<S>,
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  static async start<S extends DescMessage>(
    bus: BusConnection,
    options: ConsumerOptions<S>,
  ): Promise<DurableConsumer<S>> {
    const consumer = new DurableConsumer(bus, options);
    await consumer.begin();
    return consumer;
  }

  /** Stops pulling, finishes the batch in hand, and hands buffered messages back at once. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.messages?.close();
    this.wake?.();
    await this.worker;
    for (const msg of this.buffer.splice(0)) msg.nak();
  }

  private async begin(): Promise<void> {
    await this.attach();
    this.worker = this.work();
  }

  /** Ensures the durable (it may have been deleted under us) and consumes from it. */
  private async attach(): Promise<void> {
    const o = this.options;
    await ensureDurableConsumer(this.bus.jsm, {
      stream: o.contract.stream,
      durable: o.durable,
      filterSubject: o.filterSubject ?? o.contract.filter,
      maxDeliver: o.maxDeliver,
      ackWaitMs: o.ackWaitMs,
      maxAckPending: o.maxAckPending,
    });
    const consumer = await this.bus.js.consumers.get(o.contract.stream, o.durable);
    // A deleted consumer or stream ends the loop (the client would otherwise pull from nothing
    // for ever); pump() then ensures the durable again and re-attaches.
    this.messages = await consumer.consume({
      max_messages: Math.max(100, o.batchSize * 2),
      abort_on_missing_resource: true,
    });
    void this.pump(this.messages);
  }

  private async pump(messages: ConsumerMessages): Promise<void> {
    try {
      for await (const msg of messages) {
        this.buffer.push(msg);
        this.wake?.();
      }
    } catch (err) {
      this.options.onError?.(err, 'consume loop ended');
    }
    // The client survives reconnects by itself; if the loop still ends (the consumer was
    // deleted, the stream recreated), attach again rather than go quiet.
    if (!this.stopped) await this.reattach();
  }

  private async reattach(): Promise<void> {
    for (let attempt = 1; !this.stopped; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(1_000 * attempt, 10_000)));
      if (this.stopped) return;
      try {
        await this.attach();
        return;
      } catch (err) {
        this.options.onError?.(err, `re-attaching consumer (attempt ${attempt})`);
      }
    }
  }

  private async work(): Promise<void> {
    while (!this.stopped) {
      if (this.buffer.length === 0) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      const batch = this.buffer.splice(0, this.options.batchSize);
      try {
        await this.process(batch);
      } catch (err) {
        // Never reached in normal operation: process() settles every message itself.
        this.options.onError?.(err, 'batch processing');
        for (const msg of batch) msg.nak(this.retryDelay(msg));
      }
    }
  }

  private async process(batch: JsMsg[]): Promise<void> {
    const accepted: Accepted<MessageShape<S>>[] = [];
    for (const msg of batch) {
      const result = this.accept(msg);
      if (typeof result === 'string') await this.deadLetter(msg, result);
      else accepted.push(result);
    }
    if (accepted.length === 0) return;
    try {
      await this.run(accepted);
      this.settle(accepted, undefined);
    } catch (err) {
      if (accepted.length === 1) return this.fail(accepted[0]!, err);
      // One bad message must not hold the others back: retry them one by one.
      for (const item of accepted) {
        try {
          await this.run([item]);
          this.settle([item], undefined);
        } catch (single) {
          await this.fail(item, single);
        }
      }
    }
  }

  private accept(msg: JsMsg): Accepted<MessageShape<S>> | string {
    const headers = fromMsgHdrs(msg.headers);
    const meta = readMetadata(headers);
    if (!meta) return 'missing CloudEvents headers (ce-id, ce-type, ce-source, ce-time)';
    if (meta.type !== this.options.contract.type) {
      return `type ${meta.type} does not match ${this.options.contract.type} on this subject`;
    }
    // Optional (older producers did not send it), but when present it must name our message.
    const dataschema = dataSchemaOf(this.options.contract.schema.typeName);
    if (meta.dataschema !== undefined && meta.dataschema !== dataschema) {
      return `dataschema ${meta.dataschema} does not match ${dataschema} of ${this.options.contract.type}`;
    }
    let message: MessageShape<S>;
    try {
      message = decode(this.options.contract.schema, msg.data);
    } catch (err) {
      if (err instanceof InvalidMessageError) return err.message;
      throw err;
    }
    const parent = extractTraceContext(headers);
    const span = tracer.startSpan(
      `process ${this.options.contract.name}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'nats',
          'messaging.destination.name': msg.subject,
          'messaging.consumer.group.name': this.options.durable,
          'messaging.message.id': meta.id,
        },
      },
      parent,
    );
    const delivery: Delivery<MessageShape<S>> = {
      message,
      meta,
      subject: msg.subject,
      deliveryCount: msg.info.deliveryCount,
      streamSequence: msg.info.streamSequence,
      context: trace.setSpan(parent, span),
    };
    return { msg, delivery, span };
  }

  private async run(items: Accepted<MessageShape<S>>[]): Promise<void> {
    const deliveries = items.map((i) => i.delivery);
    // A batch of one runs inside its message's trace; a larger batch gets each context on its delivery.
    const ctx = items.length === 1 ? items[0]!.delivery.context : context.active();
    await context.with(ctx, () => this.options.handle(deliveries));
  }

  private settle(items: Accepted<MessageShape<S>>[], err: unknown): void {
    if (err === undefined) this.options.onProcessed?.(items.length);
    for (const { msg, span } of items) {
      if (err === undefined) msg.ack();
      else
        span.setStatus({
          code: SpanStatusCode.ERROR,
          message: err instanceof Error ? err.message : 'handler failed',
        });
      span.end();
    }
  }

  private async fail(item: Accepted<MessageShape<S>>, err: unknown): Promise<void> {
    const { msg } = item;
    this.settle([item], err);
    const reason = err instanceof Error ? err.message : String(err);
    const attempt = msg.info.deliveryCount;
    if (err instanceof PermanentFailureError || attempt >= this.options.maxDeliver) {
      await this.deadLetter(
        msg,
        `handler failed on delivery ${attempt}/${this.options.maxDeliver}: ${reason}`,
      );
      return;
    }
    this.options.onError?.(err, `handler failed on delivery ${attempt}, retrying`);
    msg.nak(this.retryDelay(msg));
  }

  private retryDelay(msg: JsMsg): number {
    const delays = this.options.retryDelaysMs;
    return delays[Math.min(msg.info.deliveryCount - 1, delays.length - 1)] ?? 1_000;
  }

  private async deadLetter(msg: JsMsg, reason: string): Promise<void> {
    try {
      const record = await sendToDeadLetter(this.bus, this.options.durable, msg, reason);
      this.options.onDeadLetter?.(record);
    } catch (err) {
      this.options.onError?.(err, 'dead-letter publish failed; message left for redelivery');
      msg.nak(this.retryDelay(msg));
    }
  }
}
