import { randomUUID } from 'node:crypto';
import type { DescMessage, MessageShape } from '@bufbuild/protobuf';
import type { PubAck } from '@nats-io/jetstream';
import { SpanKind, trace } from '@opentelemetry/api';
import { encode, type MessageContract } from '@muster/contracts';
import type { BusConnection } from './bus-connection.js';
import { envelopeHeaders, toMsgHdrs, type HeaderMap } from './event-envelope.js';

const tracer = trace.getTracer('@muster/messaging');

export interface PublishOptions {
  /** CloudEvents id and JetStream de-duplication key; a retry must reuse it. */
  id?: string;
  time?: Date;
  /** CloudEvents `subject`: the entity the event is about (a machine id, a build id). */
  about?: string;
}

/** A message ready for the wire: what the outbox stores and the relay publishes. */
export interface OutgoingMessage {
  id: string;
  subject: string;
  headers: HeaderMap;
  payload: Uint8Array;
}

/**
 * Encodes (and so validates) a message with its envelope. Pure: no I/O, so the outbox can
 * store exactly what will be sent, in the producer's transaction.
 */
export function prepareMessage<S extends DescMessage, T extends string>(
  source: string,
  contract: MessageContract<S, T>,
  params: Readonly<Record<T, string>>,
  message: MessageShape<S>,
  options: PublishOptions = {},
): OutgoingMessage {
  const id = options.id ?? randomUUID();
  const subject = contract.subject(params);
  const payload = encode(contract.schema, message);
  const headers = envelopeHeaders({
    id,
    type: contract.type,
    source,
    time: (options.time ?? new Date()).toISOString(),
    ...(options.about ? { subject: options.about } : {}),
  });
  return { id, subject, headers, payload };
}

/** Publishes to JetStream with the message id as de-duplication key. */
export class EventPublisher {
  constructor(
    private readonly bus: BusConnection,
    /** CloudEvents `source`: `/muster/<service>`. */
    readonly source: string,
  ) {}

  async publish<S extends DescMessage, T extends string>(
    contract: MessageContract<S, T>,
    params: Readonly<Record<T, string>>,
    message: MessageShape<S>,
    options: PublishOptions = {},
  ): Promise<PubAck> {
    return tracer.startActiveSpan(
      `publish ${contract.name}`,
      { kind: SpanKind.PRODUCER, attributes: { 'messaging.system': 'nats' } },
      async (span) => {
        try {
          const prepared = prepareMessage(this.source, contract, params, message, options);
          span.setAttribute('messaging.destination.name', prepared.subject);
          span.setAttribute('messaging.message.id', prepared.id);
          return await this.publishPrepared(prepared);
        } finally {
          span.end();
        }
      },
    );
  }

  /** Sends an already prepared message unchanged (headers, trace context and id included). */
  async publishPrepared(message: OutgoingMessage, timeoutMs = 5_000): Promise<PubAck> {
    return this.bus.js.publish(message.subject, message.payload, {
      msgID: message.id,
      headers: toMsgHdrs(message.headers),
      timeout: timeoutMs,
    });
  }
}
