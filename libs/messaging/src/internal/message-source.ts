import type { Consumer, ConsumerMessages, JetStreamClient } from '@nats-io/jetstream';
import type { InHand } from './in-hand.js';
import { pause } from './signal.js';

export interface MessageSourceOptions {
  js: JetStreamClient;
  stream: string;
  durable: string;
  /** Creates the durable again (it may have been deleted under us) before pulling resumes. */
  ensure: () => Promise<void>;
  onError: (err: unknown, context: string) => void;
  abort: AbortSignal;
}

// A pull waits this long for messages at most; then the next one is sent (an idle consumer
// costs one small request per interval).
const PULL_EXPIRES_MS = 5_000;

/**
 * Pulls from the durable only as much as the consumer has room for: each pull asks for
 * `inHand.room()` messages, so what the consumer holds never exceeds its bound, and every
 * message pulled is in hand at once (kept alive, never forgotten in a client buffer). A pull
 * that fails (the durable or the stream was deleted, the connection dropped) is followed by
 * `ensure()` and another pull, with back-off, until the consumer stops.
 */
export async function pullInto(inHand: InHand, o: MessageSourceOptions): Promise<void> {
  let failures = 0;
  let consumer: Consumer | undefined;
  let current: ConsumerMessages | undefined;
  const stopCurrent = () => void current?.stop();
  o.abort.addEventListener('abort', stopCurrent, { once: true });
  try {
    while (!o.abort.aborted) {
      const room = await inHand.waitForRoom();
      if (room === 0 || o.abort.aborted) break;
      try {
        consumer ??= await o.js.consumers.get(o.stream, o.durable);
        current = await consumer.fetch({ max_messages: room, expires: PULL_EXPIRES_MS });
        if (o.abort.aborted) current.stop();
        for await (const msg of current) inHand.add(msg);
        failures = 0;
      } catch (err) {
        if (o.abort.aborted) break;
        failures++;
        consumer = undefined;
        o.onError(err, `pull failed (${failures} in a row); re-attaching`);
        await pause(Math.min(250 * 2 ** failures, 10_000), o.abort);
        await o.ensure().catch((e: unknown) => o.onError(e, 're-creating the durable consumer'));
      }
    }
  } finally {
    o.abort.removeEventListener('abort', stopCurrent);
  }
}
