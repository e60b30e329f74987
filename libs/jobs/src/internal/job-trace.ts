import { ROOT_CONTEXT, context, propagation, type Context } from '@opentelemetry/api';

/**
 * W3C trace context across Redis. The producer's context is kept in the job's own
 * `opts.telemetry.metadata` (BullMQ stores it with the job and hands it back to the worker;
 * it is the field BullMQ's built-in telemetry uses for the same purpose), as the JSON of a
 * `traceparent`/`tracestate` carrier. The payload stays exactly what the schema says.
 */
export function traceMetadata(ctx: Context = context.active()): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return Object.keys(carrier).length > 0 ? JSON.stringify(carrier) : undefined;
}

/** The producer's context from a job's metadata; the root context when it has none. */
export function contextFromMetadata(metadata: string | undefined): Context {
  if (!metadata) return ROOT_CONTEXT;
  let carrier: unknown;
  try {
    carrier = JSON.parse(metadata);
  } catch {
    return ROOT_CONTEXT; // not ours (or damaged): the job still runs, in a trace of its own
  }
  if (typeof carrier !== 'object' || carrier === null) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, carrier as Record<string, unknown>);
}
