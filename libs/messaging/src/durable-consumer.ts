import type { DescMessage } from '@bufbuild/protobuf';
import type { BusConnection } from './bus-connection.js';
import { ensureDurableConsumer } from './consumer-setup.js';
import {
  resolveConsumerOptions,
  type ConsumerOptions,
  type ResolvedConsumerOptions,
} from './consumer-options.js';
import { BatchProcessor } from './internal/batch-processor.js';
import { DependencyGate } from './internal/dependency-gate.js';
import { InHand } from './internal/in-hand.js';
import { pullInto } from './internal/message-source.js';

export type {
  BatchHandler,
  ConsumerOptions,
  Delivery,
  DependencyProbe,
  OutageEvent,
} from './consumer-options.js';

/**
 * A durable pull consumer with explicit acks.
 *
 * - Messages are decoded and validated against the contract; an invalid one goes to dead
 *   letter with the reason and the consumer carries on.
 * - A handler failure while every dependency answers is an attempt: retried with back-off,
 *   dead-lettered after `maxAttempts`. A failure while a dependency is down (or an error that
 *   says so) is an outage: the messages are held, not nak'ed, and retried when it is over.
 * - At most `maxInFlight` messages are held; more are pulled only as they are settled, and
 *   every one in hand is kept alive on the server (`working()`) so none is redelivered while
 *   it waits behind a slow handler.
 * - Under load, messages already received are handed over in batches (one transaction for
 *   many events); at idle a message is handled as soon as it arrives.
 */
export class DurableConsumer<S extends DescMessage> {
  private readonly stopping = new AbortController();
  private readonly inHand: InHand;
  private readonly processor: BatchProcessor<S>;
  private readonly o: ResolvedConsumerOptions<S>;
  private keepAlive: NodeJS.Timeout | undefined;
  private tasks: Promise<void>[] = [];

  private constructor(
    private readonly bus: BusConnection,
    options: ConsumerOptions<S>,
  ) {
    this.o = resolveConsumerOptions(options);
    this.inHand = new InHand(this.o.maxInFlight);
    const gate = new DependencyGate(this.o.dependencies, this.o.outageBackoffMs, this.stopping.signal);
    this.processor = new BatchProcessor(bus, this.o, this.inHand, gate, this.stopping.signal);
  }

  static async start<S extends DescMessage>(
    bus: BusConnection,
    options: ConsumerOptions<S>,
  ): Promise<DurableConsumer<S>> {
    const consumer = new DurableConsumer(bus, options);
    await consumer.ensure();
    consumer.begin();
    return consumer;
  }

  /** Stops pulling, finishes the handler call in hand, and hands every other message back at once. */
  async stop(): Promise<void> {
    if (this.stopping.signal.aborted) return;
    this.stopping.abort();
    this.inHand.close();
    await Promise.all(this.tasks);
    clearInterval(this.keepAlive);
    for (const msg of this.inHand.leftovers()) msg.nak();
  }

  private begin(): void {
    // A third of the ack wait: a message in hand is told "still working" well before the
    // server would give up on it, however long it waits behind a slow handler or an outage.
    const every = Math.max(100, Math.floor(this.o.ackWaitMs / 3));
    this.keepAlive = setInterval(() => this.inHand.keepAlive(), every);
    this.keepAlive.unref();
    this.tasks = [
      pullInto(this.inHand, {
        js: this.bus.js,
        stream: this.o.contract.stream,
        durable: this.o.durable,
        ensure: () => this.ensure(),
        onError: (err, where) => this.o.onError?.(err, where),
        abort: this.stopping.signal,
      }),
      this.work(),
    ];
  }

  private ensure(): Promise<void> {
    return ensureDurableConsumer(this.bus.jsm, {
      stream: this.o.contract.stream,
      durable: this.o.durable,
      filterSubject: this.o.filterSubject ?? this.o.contract.filter,
      ackWaitMs: this.o.ackWaitMs,
      maxAckPending: this.o.maxAckPending,
    });
  }

  private async work(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      const batch = await this.inHand.take(this.o.batchSize);
      if (batch.length === 0) continue;
      try {
        await this.processor.process(batch);
      } catch (err) {
        // Never reached in normal operation: process() settles every message itself.
        this.o.onError?.(err, 'batch processing');
        for (const msg of batch.filter((m) => this.inHand.holds(m))) {
          msg.nak();
          this.inHand.settled(msg);
        }
      }
    }
  }
}
