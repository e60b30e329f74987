import { Body, Controller, Get, HttpCode, Inject, NotFoundException, Param, Post } from '@nestjs/common';
import { z } from 'zod';
import { releaseIdValue } from '../http/params.js';
import { PrefetchService, type PrefetchProgress } from './prefetch.service.js';

const prefetchBody = z.object({ releaseId: releaseIdValue }).strict();
const releaseParam = z.object({ releaseId: releaseIdValue }).strict();

/** An operator pre-stages a release at this site (the scheduler does it through the bus). */
@Controller('v1/prefetch')
export class PrefetchController {
  constructor(@Inject(PrefetchService) private readonly prefetch: PrefetchService) {}

  @Post()
  @HttpCode(202)
  start(@Body({ schema: prefetchBody }) body: z.infer<typeof prefetchBody>): PrefetchProgress {
    return this.prefetch.start(body.releaseId).progress;
  }

  @Get(':releaseId')
  get(@Param({ schema: releaseParam }) params: z.infer<typeof releaseParam>): PrefetchProgress {
    const progress = this.prefetch.progress(params.releaseId);
    if (!progress)
      throw new NotFoundException(`no prefetch of release ${params.releaseId} since this cache started`);
    return progress;
  }
}
