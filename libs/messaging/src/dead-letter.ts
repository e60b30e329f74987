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
 * Moves a message to the dead-letter stream with the reason, then terminates it. If the
 * dead-letter publish fails, the message is not terminated: it will come back, never lost.
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
  msg.term(reason.slice(0, 200));
  return { consumer, subject: msg.subject, reason, streamSequence: msg.info.streamSequence };
}
