import type { DescMessage, MessageShape } from '@bufbuild/protobuf';
import type { JsMsg } from '@nats-io/jetstream';
import { SpanKind, trace, type Span } from '@opentelemetry/api';
import { dataSchemaOf, decode, InvalidMessageError, type MessageContract } from '@muster/contracts';
import type { Delivery } from '../consumer-options.js';
import { extractTraceContext, fromMsgHdrs, readMetadata } from '../event-envelope.js';

const tracer = trace.getTracer('@muster/messaging');

/** A message that decoded and validated, with the span of its processing. */
export interface Accepted<M> {
  msg: JsMsg;
  delivery: Delivery<M>;
  span: Span;
}

/**
 * Decodes and validates one message against the contract: the delivery to hand over, or the
 * reason it can never be handled (it then goes to dead letter at once).
 */
export function accept<S extends DescMessage>(
  msg: JsMsg,
  contract: MessageContract<S>,
  durable: string,
): Accepted<MessageShape<S>> | string {
  const headers = fromMsgHdrs(msg.headers);
  const meta = readMetadata(headers);
  if (!meta) return 'missing CloudEvents headers (ce-id, ce-type, ce-source, ce-time)';
  if (meta.type !== contract.type) {
    return `type ${meta.type} does not match ${contract.type} on this subject`;
  }
  // Optional (older producers did not send it), but when present it must name our message.
  const dataschema = dataSchemaOf(contract.schema.typeName);
  if (meta.dataschema !== undefined && meta.dataschema !== dataschema) {
    return `dataschema ${meta.dataschema} does not match ${dataschema} of ${contract.type}`;
  }
  let message: MessageShape<S>;
  try {
    message = decode(contract.schema, msg.data);
  } catch (err) {
    if (err instanceof InvalidMessageError) return err.message;
    throw err;
  }
  const parent = extractTraceContext(headers);
  const span = tracer.startSpan(
    `process ${contract.name}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'nats',
        'messaging.destination.name': msg.subject,
        'messaging.consumer.group.name': durable,
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
