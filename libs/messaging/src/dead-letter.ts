import type { JsMsg } from '@nats-io/jetstream';
import { deadLetter, headers as H } from '@muster/contracts';
import type { BusConnection } from './bus-connection.js';
import { fromMsgHdrs, toMsgHdrs } from './event-envelope.js';

export interface DeadLetterRecord {
  consumer: string;
  subject: string;
  reason: string;
  streamSequence: number;
}

/**
 * Copies a message to the dead-letter stream with the reason and, only once JetStream has
 * acknowledged the copy, terminates the original. If the publish fails this throws and the
 * original is left alone for the caller to nak: it comes back (the server never gives up on a
 * message, `max_deliver` is -1), never lost. A second copy of the same message (a lost `+TERM`,
 * a retry) carries the same `Nats-Msg-Id`, so the stream keeps one.
 */
export async function sendToDeadLetter(
  bus: BusConnection,
  consumer: string,
  msg: JsMsg,
  reason: string,
): Promise<DeadLetterRecord> {
  const headers = fromMsgHdrs(msg.headers);
  // JetStream's own headers (Nats-Msg-Id, …) belong to the original publish, not to this one.
  for (const key of Object.keys(headers)) if (key.startsWith('nats-')) delete headers[key];
  headers[H.deadLetterReason] = reason.slice(0, 4_000);
  headers[H.deadLetterConsumer] = consumer;
  headers[H.deadLetterOriginalSubject] = msg.subject;
  headers[H.deadLetterOriginalStream] = msg.info.stream;
  headers[H.deadLetterOriginalSequence] = String(msg.info.streamSequence);
  headers[H.deadLetterDeliveryCount] = String(msg.info.deliveryCount);
  await bus.js.publish(deadLetter.subject(consumer), msg.data, {
    msgID: `dead:${consumer}:${msg.info.stream}:${msg.info.streamSequence}`,
    headers: toMsgHdrs(headers),
  });
  // A plain +TERM: nats-server 2.9 ignores a +TERM that carries a reason, and the reason is
  // in the dead-letter copy anyway.
  msg.term();
  return { consumer, subject: msg.subject, reason, streamSequence: msg.info.streamSequence };
}
