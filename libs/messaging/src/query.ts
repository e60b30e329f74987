import { randomUUID } from 'node:crypto';
import type { DescMessage, MessageShape } from '@bufbuild/protobuf';
import type { Msg, Subscription } from '@nats-io/transport-node';
import { SpanKind, context, trace } from '@opentelemetry/api';
import { dataSchemaOf, decode, encode, InvalidMessageError, type QueryContract } from '@muster/contracts';
import type { BusConnection } from './bus-connection.js';
import { QueryFailedError } from './errors.js';
import { envelopeHeaders, extractTraceContext, fromMsgHdrs, toMsgHdrs } from './event-envelope.js';

const tracer = trace.getTracer('@muster/messaging');
/** Set on a reply that carries an error message instead of a response body. */
export const QUERY_ERROR_HEADER = 'muster-error';

export class QueryClient {
  constructor(
    private readonly bus: BusConnection,
    private readonly source: string,
  ) {}

  async request<Req extends DescMessage, Res extends DescMessage>(
    query: QueryContract<Req, Res>,
    request: MessageShape<Req>,
    timeoutMs = 5_000,
  ): Promise<MessageShape<Res>> {
    return tracer.startActiveSpan(`request ${query.name}`, { kind: SpanKind.CLIENT }, async (span) => {
      try {
        const headers = envelopeHeaders({
          id: randomUUID(),
          type: query.type,
          source: this.source,
          time: new Date().toISOString(),
          dataschema: dataSchemaOf(query.request.typeName),
        });
        const reply = await this.bus.nc.request(query.subject, encode(query.request, request), {
          timeout: timeoutMs,
          headers: toMsgHdrs(headers),
        });
        const error = reply.headers?.get(QUERY_ERROR_HEADER);
        if (error) throw new QueryFailedError(query.name, error);
        return decode(query.response, reply.data);
      } finally {
        span.end();
      }
    });
  }
}

export type QueryHandler<Req extends DescMessage, Res extends DescMessage> = (
  request: MessageShape<Req>,
) => Promise<MessageShape<Res>>;

/**
 * Answers a query. Every instance of a service joins one queue group, so each request is
 * answered once. A request that fails validation gets an error reply, never silence.
 */
export function serveQuery<Req extends DescMessage, Res extends DescMessage>(
  bus: BusConnection,
  query: QueryContract<Req, Res>,
  handler: QueryHandler<Req, Res>,
  onError?: (err: unknown) => void,
): Subscription {
  return bus.nc.subscribe(query.subject, {
    queue: query.name,
    callback: (err, msg) => {
      if (err) return onError?.(err);
      void answer(query, handler, msg, onError);
    },
  });
}

async function answer<Req extends DescMessage, Res extends DescMessage>(
  query: QueryContract<Req, Res>,
  handler: QueryHandler<Req, Res>,
  msg: Msg,
  onError?: (err: unknown) => void,
): Promise<void> {
  const parent = extractTraceContext(fromMsgHdrs(msg.headers));
  const span = tracer.startSpan(`answer ${query.name}`, { kind: SpanKind.SERVER }, parent);
  try {
    const request = decode(query.request, msg.data);
    const response = await context.with(trace.setSpan(parent, span), () => handler(request));
    msg.respond(encode(query.response, response));
  } catch (err) {
    if (!(err instanceof InvalidMessageError)) onError?.(err);
    const reason = err instanceof Error ? err.message : String(err);
    msg.respond(new Uint8Array(), { headers: toMsgHdrs({ [QUERY_ERROR_HEADER]: reason.slice(0, 2_000) }) });
  } finally {
    span.end();
  }
}
