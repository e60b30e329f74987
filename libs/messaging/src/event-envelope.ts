import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';
import { context, propagation, type Context } from '@opentelemetry/api';

/** CloudEvents NATS protocol binding, binary mode: attributes travel as `ce-` headers. */
export const CE = {
  specversion: 'ce-specversion',
  id: 'ce-id',
  type: 'ce-type',
  source: 'ce-source',
  time: 'ce-time',
  subject: 'ce-subject',
  contentType: 'content-type',
} as const;

export const PROTOBUF_CONTENT_TYPE = 'application/protobuf';

/** The CloudEvents attributes of one message; the body is the protobuf payload alone. */
export interface EventMetadata {
  id: string;
  type: string;
  source: string;
  time: string;
  subject?: string;
  /** W3C trace context, as sent. */
  traceparent?: string;
  tracestate?: string;
}

/** Plain header map: what the outbox stores and the relay sends back unchanged. */
export type HeaderMap = Record<string, string>;

export function envelopeHeaders(meta: EventMetadata, traceContext: Context = context.active()): HeaderMap {
  const map: HeaderMap = {
    [CE.specversion]: '1.0',
    [CE.id]: meta.id,
    [CE.type]: meta.type,
    [CE.source]: meta.source,
    [CE.time]: meta.time,
    [CE.contentType]: PROTOBUF_CONTENT_TYPE,
  };
  if (meta.subject) map[CE.subject] = meta.subject;
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
  const id = map[CE.id];
  const type = map[CE.type];
  const source = map[CE.source];
  const time = map[CE.time];
  if (!id || !type || !source || !time) return undefined;
  const meta: EventMetadata = { id, type, source, time };
  if (map[CE.subject]) meta.subject = map[CE.subject];
  if (map.traceparent) meta.traceparent = map.traceparent;
  if (map.tracestate) meta.tracestate = map.tracestate;
  return meta;
}

/** The trace context a message carries, to parent the consumer's span on the producer's. */
export function extractTraceContext(map: HeaderMap): Context {
  return propagation.extract(context.active(), map);
}
