export { HealthController } from './health/health.controller.js';
export {
  ReadinessRegistry,
  type ReadinessCheck,
  type ReadinessCheckResult,
  type ReadinessOptions,
  type ReadinessReport,
} from './health/readiness.registry.js';
export {
  createLogger,
  traceContextFields,
  type Logger,
  type LoggerOptions,
} from './logging/logger.factory.js';
export { NestPinoLogger } from './logging/nest-pino.logger.js';
export { MetricsController } from './metrics/metrics.controller.js';
export { Metrics, createMetrics, type MetricsOptions } from './metrics/metrics.registry.js';
export { ObservabilityModule, type ObservabilityModuleOptions } from './observability.module.js';
export { LOGGER } from './observability.tokens.js';
export {
  DEFAULT_IGNORED_PATHS,
  startTelemetry,
  type Telemetry,
  type TelemetryOptions,
} from './telemetry/telemetry.bootstrap.js';
export { InMemorySpanExporter, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace';
