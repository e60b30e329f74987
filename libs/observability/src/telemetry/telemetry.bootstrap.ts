import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  SimpleSpanProcessor,
  TracerProvider,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';

import { enableHttpInstrumentation } from '../internal/http-instrumentation.js';

export interface TelemetryOptions {
  readonly serviceName: string;
  readonly serviceVersion?: string;
  /** OTLP/HTTP base URL of a collector, e.g. `http://collector:4318`; spans go to `…/v1/traces`. */
  readonly otlpEndpoint?: string;
  /** An extra exporter, exported to synchronously (tests pass an InMemorySpanExporter). */
  readonly exporter?: SpanExporter;
  /** Trace incoming and outgoing `node:http(s)` requests; default true. */
  readonly instrumentHttp?: boolean;
  /** Incoming paths not traced (probes and scrapes); default /healthz, /readyz, /metrics. */
  readonly ignoreIncomingPaths?: readonly string[];
}

export interface Telemetry {
  readonly tracerProvider: TracerProvider;
  forceFlush(): Promise<void>;
  /** Flushes and stops exporting, and un-registers the global tracer, context and propagator. */
  shutdown(): Promise<void>;
}

export const DEFAULT_IGNORED_PATHS = ['/healthz', '/readyz', '/metrics'] as const;

let active: Telemetry | undefined;

/**
 * Starts tracing for the process. Call it first in main.ts, before the modules that use
 * `node:http` are imported (`await import('./app.module.js')` after it), so that code which
 * captured `http.request` at load time is traced too.
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  if (active) throw new Error('telemetry is already started in this process; shut it down first');

  const spanProcessors: SpanProcessor[] = [];
  if (options.otlpEndpoint !== undefined) {
    const exporter = new OTLPTraceExporter({ url: tracesUrl(options.otlpEndpoint) });
    spanProcessors.push(new BatchSpanProcessor({ exporter }));
  }
  if (options.exporter) spanProcessors.push(new SimpleSpanProcessor({ exporter: options.exporter }));

  const resource = defaultResource().merge(
    resourceFromAttributes({
      [ATTR_SERVICE_NAME]: options.serviceName,
      ...(options.serviceVersion === undefined ? {} : { [ATTR_SERVICE_VERSION]: options.serviceVersion }),
    }),
  );
  const tracerProvider = new TracerProvider({ resource, spanProcessors });

  const registered = [
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable()),
    propagation.setGlobalPropagator(
      new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
    ),
    trace.setGlobalTracerProvider(tracerProvider),
  ];
  if (registered.includes(false)) {
    const [contextSet, propagatorSet, tracerSet] = registered;
    if (contextSet) context.disable();
    if (propagatorSet) propagation.disable();
    if (tracerSet) trace.disable();
    throw new Error('another OpenTelemetry SDK is already registered in this process');
  }

  const disableHttp =
    options.instrumentHttp === false
      ? () => undefined
      : enableHttpInstrumentation(tracerProvider, options.ignoreIncomingPaths ?? DEFAULT_IGNORED_PATHS);

  let stopping: Promise<void> | undefined;
  const telemetry: Telemetry = {
    tracerProvider,
    forceFlush: () => tracerProvider.forceFlush(),
    shutdown: () =>
      (stopping ??= (async () => {
        disableHttp();
        try {
          await tracerProvider.shutdown();
        } finally {
          unregisterGlobals();
          active = undefined;
        }
      })()),
  };
  active = telemetry;
  return telemetry;
}

function unregisterGlobals(): void {
  trace.disable();
  propagation.disable();
  context.disable();
}

function tracesUrl(endpoint: string): string {
  const base = endpoint.replace(/\/+$/, '');
  return base.endsWith('/v1/traces') ? base : `${base}/v1/traces`;
}
