import { Controller, Get, HttpException, HttpStatus, Inject } from '@nestjs/common';

import { ReadinessRegistry, type ReadinessCheckResult } from './readiness.registry.js';

@Controller()
export class HealthController {
  constructor(@Inject(ReadinessRegistry) private readonly readiness: ReadinessRegistry) {}

  /** Liveness: the process runs and its event loop answers. */
  @Get('healthz')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: 200 when every registered check passes, else 503 naming the failing ones. */
  @Get('readyz')
  async ready(): Promise<{ status: 'ready'; checks: readonly ReadinessCheckResult[] }> {
    const report = await this.readiness.evaluate();
    if (!report.ready) {
      const failing = report.checks.filter((c) => !c.ok).map((c) => c.name);
      throw new HttpException(
        { message: 'not ready', failing, checks: report.checks },
        HttpStatus.SERVICE_UNAVAILABLE,
      );
    }
    return { status: 'ready', checks: report.checks };
  }
}
