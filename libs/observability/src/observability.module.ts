import { Module, type BeforeApplicationShutdown, type DynamicModule } from '@nestjs/common';

import { HealthController } from './health/health.controller.js';
import { ReadinessRegistry, type ReadinessCheck } from './health/readiness.registry.js';
import { createLogger, type Logger } from './logging/logger.factory.js';
import { MetricsController } from './metrics/metrics.controller.js';
import { Metrics } from './metrics/metrics.registry.js';
import { LOGGER } from './observability.tokens.js';

export interface ObservabilityModuleOptions {
  readonly service: string;
  /** The process's logger (from createLogger in main.ts); one is made if omitted. */
  readonly logger?: Logger;
  /** The process's metrics; one is made, with default metrics, if omitted. */
  readonly metrics?: Metrics;
  /** Checks known up front; modules can register more through ReadinessRegistry. */
  readonly readiness?: Readonly<Record<string, ReadinessCheck>>;
  /** Per-check time limit for /readyz, default 2000 ms. */
  readonly readinessTimeoutMs?: number;
}

/** Reports not ready as soon as Nest starts shutting down (needs `app.enableShutdownHooks()`). */
class ShutdownReadiness implements BeforeApplicationShutdown {
  constructor(private readonly readiness: ReadinessRegistry) {}
  beforeApplicationShutdown(): void {
    this.readiness.markShuttingDown();
  }
}

/**
 * GET /healthz, /readyz and /metrics, and the process-wide Metrics, ReadinessRegistry and
 * LOGGER providers (global, so any module can inject them).
 */
@Module({})
export class ObservabilityModule {
  static forRoot(options: ObservabilityModuleOptions): DynamicModule {
    const metrics = options.metrics ?? new Metrics({ service: options.service });
    const logger = options.logger ?? createLogger({ service: options.service });
    return {
      module: ObservabilityModule,
      global: true,
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: Metrics, useValue: metrics },
        { provide: LOGGER, useValue: logger },
        {
          provide: ReadinessRegistry,
          useFactory: () => {
            const registry = new ReadinessRegistry(
              options.readinessTimeoutMs === undefined ? {} : { timeoutMs: options.readinessTimeoutMs },
            );
            for (const [name, check] of Object.entries(options.readiness ?? {}))
              registry.register(name, check);
            return registry;
          },
        },
        {
          provide: ShutdownReadiness,
          inject: [ReadinessRegistry],
          useFactory: (readiness: ReadinessRegistry) => new ShutdownReadiness(readiness),
        },
      ],
      exports: [Metrics, ReadinessRegistry, LOGGER],
    };
  }
}
