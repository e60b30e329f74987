import type { DescMessage, MessageShape } from '@bufbuild/protobuf';
import type { JsMsg } from '@nats-io/jetstream';
import { SpanStatusCode, context } from '@opentelemetry/api';
import type { BusConnection } from '../bus-connection.js';
import type { ResolvedConsumerOptions } from '../consumer-options.js';
import { sendToDeadLetter } from '../dead-letter.js';
import { PermanentFailureError } from '../errors.js';
import { accept, type Accepted } from './accept.js';
import type { DependencyGate } from './dependency-gate.js';
import type { InHand } from './in-hand.js';

type Item<S extends DescMessage> = Accepted<MessageShape<S>>;
/** Handed back because the consumer stopped during an outage: neither success nor failure. */
const STOPPED = Symbol('stopped');
// Reasons of dead-letter publishes that failed, by stream sequence, so that the message goes
// straight to dead letter when it comes back instead of running its handler once more.
const PENDING_DEAD_LETTERS_MAX = 10_000;

/**
 * Deliveries past which a message that arrives again is taken for one that kills or hangs its
 * consumer (it was delivered, and never settled, this many times: each time the process died
 * or stopped holding it). Well above `maxAttempts`, because a restart during an outage also
 * counts a delivery; checked only while every dependency answers.
 */
export function crashLoopLimit(maxAttempts: number): number {
  return 2 * maxAttempts + 10;
}

/**
 * Runs batches through the handler and settles every message: ack on success; on a failure
 * with every dependency healthy, nak with back-off or, past `maxAttempts`, dead letter; on a
 * failure during an outage, hold the messages (no nak, kept alive by the consumer) and retry
 * them once the dependencies answer, so an outage costs no attempt.
 */
export class BatchProcessor<S extends DescMessage> {
  private readonly pendingDeadLetters = new Map<number, string>();
  private outage: string | undefined;

  constructor(
    private readonly bus: BusConnection,
    private readonly o: ResolvedConsumerOptions<S>,
    private readonly inHand: InHand,
    private readonly gate: DependencyGate,
    private readonly abort: AbortSignal,
  ) {}

  async process(batch: readonly JsMsg[]): Promise<void> {
    const accepted: Item<S>[] = [];
    for (const msg of batch) {
      const pending = this.pendingDeadLetters.get(msg.info.streamSequence) ?? (await this.crashLooping(msg));
      const result = pending ?? accept(msg, this.o.contract, this.o.durable);
      if (typeof result === 'string') await this.deadLetter(msg, result);
      else accepted.push(result);
    }
    if (accepted.length === 0) return;
    const err = await this.runHolding(accepted);
    if (err === undefined) return this.succeeded(accepted);
    if (err === STOPPED) return this.handBack(accepted);
    if (accepted.length === 1) return this.failed(accepted[0]!, err);
    // One bad message must not hold the others back: retry them one by one.
    for (const item of accepted) {
      const single = await this.runHolding([item]);
      if (single === undefined) this.succeeded([item]);
      else if (single === STOPPED) this.handBack([item]);
      else await this.failed(item, single);
    }
  }

  /** The reason to dead-letter a message its consumer never got to settle, or undefined. */
  private async crashLooping(msg: JsMsg): Promise<string | undefined> {
    const limit = crashLoopLimit(this.o.maxAttempts);
    if (msg.info.deliveryCount <= limit) return undefined;
    if ((await this.gate.down()).length > 0) return undefined;
    return (
      `delivered ${msg.info.deliveryCount} times without being settled (limit ${limit}): ` +
      'its handler may crash or hang the consumer'
    );
  }

  /** Runs the handler until it succeeds or fails with every dependency healthy. */
  private async runHolding(items: Item<S>[]): Promise<unknown> {
    for (;;) {
      try {
        await this.run(items);
        this.endOutage(items.length);
        return undefined;
      } catch (err) {
        const outage = await this.gate.diagnose(err);
        if (outage === undefined) {
          this.endOutage(items.length);
          return err;
        }
        this.startOutage(outage);
        await this.gate.waitForRecovery();
        if (this.abort.aborted) return STOPPED;
      }
    }
  }

  private async run(items: Item<S>[]): Promise<void> {
    const deliveries = items.map((i) => i.delivery);
    // A batch of one runs inside its message's trace; a larger batch gets each context on its delivery.
    const ctx = items.length === 1 ? items[0]!.delivery.context : context.active();
    await context.with(ctx, () => this.o.handle(deliveries));
  }

  private startOutage(reason: string): void {
    this.inHand.setPaused(true);
    if (this.outage !== undefined) return;
    this.outage = reason;
    this.o.onOutage?.({ phase: 'start', reason, held: this.inHand.size });
  }

  private endOutage(held: number): void {
    if (this.outage === undefined) return;
    this.o.onOutage?.({ phase: 'end', reason: this.outage, held });
    this.outage = undefined;
    this.inHand.setPaused(false);
  }

  private succeeded(items: Item<S>[]): void {
    for (const { msg, span } of items) {
      msg.ack();
      this.inHand.settled(msg);
      span.end();
    }
    this.o.onProcessed?.(items.length);
  }

  /** The consumer stopped mid-outage: hand the messages back for another instance. */
  private handBack(items: Item<S>[]): void {
    for (const { msg, span } of items) {
      msg.nak();
      this.inHand.settled(msg);
      span.end();
    }
  }

  private async failed(item: Item<S>, err: unknown): Promise<void> {
    const { msg, span } = item;
    const reason = err instanceof Error ? err.message : String(err);
    span.setStatus({ code: SpanStatusCode.ERROR, message: reason });
    span.end();
    const attempt = msg.info.deliveryCount;
    if (err instanceof PermanentFailureError || attempt >= this.o.maxAttempts) {
      return this.deadLetter(msg, `handler failed on attempt ${attempt}/${this.o.maxAttempts}: ${reason}`);
    }
    this.o.onError?.(err, `handler failed on attempt ${attempt}, retrying`);
    msg.nak(this.retryDelay(msg));
    this.inHand.settled(msg);
  }

  /** Terminates the message only once its dead-letter copy is stored; else it comes back later. */
  private async deadLetter(msg: JsMsg, reason: string): Promise<void> {
    const seq = msg.info.streamSequence;
    try {
      const record = await sendToDeadLetter(this.bus, this.o.durable, msg, reason);
      this.pendingDeadLetters.delete(seq);
      this.o.onDeadLetter?.(record);
    } catch (err) {
      this.pendingDeadLetters.set(seq, reason);
      if (this.pendingDeadLetters.size > PENDING_DEAD_LETTERS_MAX) {
        this.pendingDeadLetters.delete(this.pendingDeadLetters.keys().next().value!);
      }
      this.o.onError?.(err, 'dead-letter publish failed; the message stays and is tried again');
      msg.nak(this.retryDelay(msg));
    } finally {
      this.inHand.settled(msg);
    }
  }

  private retryDelay(msg: JsMsg): number {
    const delays = this.o.retryDelaysMs;
    return delays[Math.min(msg.info.deliveryCount - 1, delays.length - 1)] ?? 1_000;
  }
}
