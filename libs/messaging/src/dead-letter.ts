import type { JsMsg } from '@nats-io/jetstream';
import { deadLetter } from '@muster/contracts';
import type { BusConnection } from './bus-connection.js';
import { fromMsgHdrs, toMsgHdrs } from './event-envelope.js';

/** Headers added to a dead-lettered message, beside its original headers and body. */
export const DEAD_LETTER_HEADERS = {
  reason: 'muster-dead-reason',
  consumer: 'muster-dead-consumer',
  originalSubject: 'muster-dead-original-subject',
  streamSequence: 'muster-dead-stream-sequence',
  deliveries: 'muster-dead-deliveries',
} as const;

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
export async function sendToDeadLetter(bus: BusConnection, consumer: string, msg: JsMsg, reason: string): Promise<DeadLetterRecord> {
  const headers = fromMsgHdrs(msg.headers);
  // JetStream's own headers (Nats-Msg-Id, …) belong to the original publish, not to this one.
  for (const key of Object.keys(headers)) if (key.startsWith('nats-')) delete headers[key];
  headers[DEAD_LETTER_HEADERS.reason] = reason.slice(0, 4_000);
  headers[DEAD_LETTER_HEADERS.consumer] = consumer;
  headers[DEAD_LETTER_HEADERS.originalSubject] = msg.subject;
  headers[DEAD_LETTER_HEADERS.streamSequence] = String(msg.info.streamSequence);
  headers[DEAD_LETTER_HEADERS.deliveries] = String(msg.info.deliveryCount);
  await bus.js.publish(deadLetter.subject(consumer), msg.data, {
    msgID: `dead:${consumer}:${msg.info.stream}:${msg.info.streamSequence}`,
    headers: toMsgHdrs(headers),
  });
  msg.term(reason.slice(0, 200));
  return { consumer, subject: msg.subject, reason, streamSequence: msg.info.streamSequence };
}
