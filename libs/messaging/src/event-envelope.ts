import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';
import { context, propagation, type Context } from '@opentelemetry/api';
import { cloudEventsSpecVersion, headers as H, protobufContentType } from '@muster/contracts';

// CloudEvents NATS protocol binding, binary mode: attributes travel as `ce-` headers.

/** The CloudEvents attributes of one message; the body is the protobuf payload alone. */
export interface EventMetadata {
  id: string;
  type: string;
  source: string;
  time: string;
  subject?: string;
  /** The payload's protobuf message: `urn:muster:proto:<full name>` (`dataSchemaOf`). */
  dataschema?: string;
  /** W3C trace context, as sent. */
  traceparent?: string;
  tracestate?: string;
}

/** Plain header map: what the outbox stores and the relay sends back unchanged. */
export type HeaderMap = Record<string, string>;

/**
 * The headers of one message. `traceContext` is the trace the message belongs to: the active
 * one by default; a consumer emitting events for a batch passes each cause's own.
 */
export function envelopeHeaders(meta: EventMetadata, traceContext: Context = context.active()): HeaderMap {
  const map: HeaderMap = {
    [H.ceSpecVersion]: cloudEventsSpecVersion,
    [H.ceId]: meta.id,
    [H.ceType]: meta.type,
    [H.ceSource]: meta.source,
    [H.ceTime]: meta.time,
    [H.contentType]: protobufContentType,
  };
  if (meta.subject) map[H.ceSubject] = meta.subject;
  if (meta.dataschema) map[H.ceDataSchema] = meta.dataschema;
  propagation.inject(traceContext, map);
  return map;
}

export function toMsgHdrs(map: HeaderMap): MsgHdrs {
  const h = natsHeaders();
  for (const [key, value] of Object.entries(map)) h.set(key, value);
  return h;
}

export function fromMsgHdrs(h: MsgHdrs | undefined): HeaderMap {
  const map: HeaderMap = {};
  if (!h) return map;
  for (const key of h.keys()) map[key.toLowerCase()] = h.get(key);
  return map;
}

/** Reads the CloudEvents attributes; undefined when a required one is missing. */
export function readMetadata(map: HeaderMap): EventMetadata | undefined {
  const id = map[H.ceId];
  const type = map[H.ceType];
  const source = map[H.ceSource];
  const time = map[H.ceTime];
  if (!id || !type || !source || !time) return undefined;
  const meta: EventMetadata = { id, type, source, time };
  const subject = map[H.ceSubject];
  const dataschema = map[H.ceDataSchema];
  const traceparent = map[H.traceparent];
  const tracestate = map[H.tracestate];
  if (subject) meta.subject = subject;
  if (dataschema) meta.dataschema = dataschema;
  if (traceparent) meta.traceparent = traceparent;
  if (tracestate) meta.tracestate = tracestate;
  return meta;
}

/** The trace context a message carries, to parent the consumer's span on the producer's. */
export function extractTraceContext(map: HeaderMap): Context {
  return propagation.extract(context.active(), map);
}
