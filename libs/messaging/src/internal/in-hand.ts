import type { JsMsg } from '@nats-io/jetstream';
import { Signal } from './signal.js';

/**
 * The messages a consumer holds and has not settled (acked, nak'ed or terminated): those
 * waiting for the handler and those in a handler call. Bounded by `limit`, so a slow handler
 * or an outage never makes the consumer pull more; each of them is kept alive on the server
 * by `keepAlive()` so that none is redelivered while it waits its turn.
 */
export class InHand {
  private readonly unsettled = new Set<JsMsg>();
  private readonly waiting: JsMsg[] = [];
  private readonly changed = new Signal();
  private paused = false;
  private closed = false;

  constructor(private readonly limit: number) {}

  get size(): number {
    return this.unsettled.size;
  }

  /** How many more messages may be pulled now: none while paused (an outage) or closed. */
  room(): number {
    return this.paused || this.closed ? 0 : this.limit - this.unsettled.size;
  }

  /** Resolves with the room once there is some, or with 0 once closed. */
  async waitForRoom(): Promise<number> {
    while (!this.closed && this.room() === 0) await this.changed.wait();
    return this.room();
  }

  add(msg: JsMsg): void {
    this.unsettled.add(msg);
    this.waiting.push(msg);
    this.changed.notify();
  }

  /** Up to `max` waiting messages, once there is at least one; [] once closed. */
  async take(max: number): Promise<JsMsg[]> {
    while (!this.closed && this.waiting.length === 0) await this.changed.wait();
    if (this.closed) return [];
    // Let messages that arrived in the same read join this batch before it is cut.
    await new Promise((resolve) => setImmediate(resolve));
    return this.waiting.splice(0, max);
  }

  holds(msg: JsMsg): boolean {
    return this.unsettled.has(msg);
  }

  /** The message was acked, nak'ed or terminated: it no longer counts. */
  settled(msg: JsMsg): void {
    if (this.unsettled.delete(msg)) this.changed.notify();
  }

  /** Stop (or resume) pulling, without settling anything. */
  setPaused(paused: boolean): void {
    this.paused = paused;
    this.changed.notify();
  }

  /** Tells the server that every message in hand is still being worked on (`+WPI`). */
  keepAlive(): void {
    for (const msg of this.unsettled) msg.working();
  }

  /** No more pulling or taking: wakes every waiter. */
  close(): void {
    this.closed = true;
    this.waiting.length = 0;
    this.changed.notify();
  }

  /** What was never settled, for the caller to hand back once no handler runs any more. */
  leftovers(): JsMsg[] {
    const left = [...this.unsettled];
    this.unsettled.clear();
    return left;
  }
}
