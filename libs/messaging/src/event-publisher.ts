import { randomUUID } from 'node:crypto';
import type { DescMessage, MessageShape } from '@bufbuild/protobuf';
import type { PubAck } from '@nats-io/jetstream';
import { SpanKind, context, trace, type Context } from '@opentelemetry/api';
import { dataSchemaOf, encode, type MessageContract } from '@muster/contracts';
import type { BusConnection } from './bus-connection.js';
import { envelopeHeaders, toMsgHdrs, type HeaderMap } from './event-envelope.js';

const tracer = trace.getTracer('@muster/messaging');

export interface PublishOptions {
  /** CloudEvents id and JetStream de-duplication key; a retry must reuse it. */
  id?: string;
  time?: Date;
  /** CloudEvents `subject`: the entity the event is about (a machine id, a build id). */
  about?: string;
  /**
   * What caused this message: a `Delivery` (or anything with its `context`). Its trace context
   * goes with the message instead of the active one. A handler that gets a batch runs outside
   * any one delivery's trace, so it must name the delivery each event comes from.
   */
  cause?: { readonly context: Context };
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
  const headers = envelopeHeaders(
    {
      id,
      type: contract.type,
      source,
      time: (options.time ?? new Date()).toISOString(),
      dataschema: dataSchemaOf(contract.schema.typeName),
      ...(options.about ? { subject: options.about } : {}),
    },
    options.cause?.context ?? context.active(),
  );
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
    // The publish span is a child of the cause, and the message carries the publish span.
    const { cause, ...rest } = options;
    return tracer.startActiveSpan(
      `publish ${contract.name}`,
      { kind: SpanKind.PRODUCER, attributes: { 'messaging.system': 'nats' } },
      cause?.context ?? context.active(),
      async (span) => {
        try {
          const prepared = prepareMessage(this.source, contract, params, message, rest);
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
