import { Controller, Get, Header, Inject } from '@nestjs/common';
import { Registry } from 'prom-client';

import { Metrics } from './metrics.registry.js';

@Controller()
export class MetricsController {
  constructor(@Inject(Metrics) private readonly metrics: Metrics) {}

  @Get('metrics')
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  @Header('Cache-Control', 'no-store')
  scrape(): Promise<string> {
    return this.metrics.text();
  }
}
