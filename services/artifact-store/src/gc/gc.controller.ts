import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { z } from 'zod';
import { GarbageCollector, type GcReport } from './garbage-collector.repository.js';

const gcBody = z.strictObject({ dryRun: z.boolean().default(false) });

@Controller('v1/gc')
export class GcController {
  constructor(@Inject(GarbageCollector) private readonly gc: GarbageCollector) {}

  /** Runs retention and garbage collection now; `dryRun` reports what would go and removes nothing. */
  @Post()
  @HttpCode(200)
  async run(@Body({ schema: gcBody }) body: z.infer<typeof gcBody>): Promise<GcReport> {
    return this.gc.collect({ dryRun: body.dryRun });
  }
}
