import { isSpanContextValid, trace } from '@opentelemetry/api';
import { pino, type DestinationStream, type LevelWithSilent, type Logger } from 'pino';

export type { Logger } from 'pino';

export interface LoggerOptions {
  readonly service: string;
  readonly level?: LevelWithSilent;
  /** Default stdout. */
  readonly destination?: DestinationStream;
  /** pino redact paths, e.g. `['req.headers.authorization']`. */
  readonly redact?: readonly string[];
}

/** `trace_id` and `span_id` of the active span, if there is one. */
export function traceContextFields(): { trace_id?: string; span_id?: string } {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (!spanContext || !isSpanContextValid(spanContext)) return {};
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}

/** Structured JSON logs; every line carries `service`, and the active trace when there is one. */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: traceContextFields,
      ...(options.redact ? { redact: [...options.redact] } : {}),
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
