import { Controller, Get, Inject } from '@nestjs/common';
import { SiteCacheStatusReader, type SiteCacheStatus } from './site-cache-status.js';

/** What `muster site-cache status` shows: capacity, use, hit ratio, bytes served and saved. */
@Controller('v1/status')
export class StatusController {
  constructor(@Inject(SiteCacheStatusReader) private readonly status: SiteCacheStatusReader) {}

  @Get()
  get(): SiteCacheStatus {
    return this.status.read();
  }
}
