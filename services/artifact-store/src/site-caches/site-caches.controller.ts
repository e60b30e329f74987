import { create } from '@bufbuild/protobuf';
import { timestampNow } from '@bufbuild/protobuf/wkt';
import { Body, Controller, Get, HttpCode, Inject, NotFoundException, Post, Query } from '@nestjs/common';
import { contracts, SiteCachePrefetchRequestedSchema } from '@muster/contracts';
import { EventPublisher } from '@muster/messaging';
import { z } from 'zod';
import { ReleasesRepository } from '../releases/releases.repository.js';
import { SiteCachesRepository, type SiteCacheRow } from './site-caches.repository.js';

const siteId = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, { error: 'must be a site id' });
const listQuery = z.strictObject({ site: siteId.optional() });
const prefetchBody = z.strictObject({
  siteId,
  releaseId: z.uuid({ error: 'must be a release id (a UUID)' }),
});

@Controller('v1/site-caches')
export class SiteCachesController {
  constructor(
    @Inject(SiteCachesRepository) private readonly caches: SiteCachesRepository,
    @Inject(ReleasesRepository) private readonly releases: ReleasesRepository,
    @Inject(EventPublisher) private readonly publisher: EventPublisher,
  ) {}

  /** Every site cache that announced itself, with its last figures. */
  @Get()
  async list(
    @Query({ schema: listQuery }) query: z.infer<typeof listQuery>,
  ): Promise<{ siteCaches: SiteCacheRow[] }> {
    return { siteCaches: await this.caches.list(query.site) };
  }

  /** Asks the caches of a site to pre-stage a release (before its maintenance window). */
  @Post('prefetch')
  @HttpCode(202)
  async prefetch(
    @Body({ schema: prefetchBody }) body: z.infer<typeof prefetchBody>,
  ): Promise<{ siteId: string; releaseId: string; requested: true }> {
    if ((await this.releases.state(body.releaseId)) !== 'published')
      throw new NotFoundException(`no published release ${body.releaseId}`);
    await this.publisher.publish(
      contracts.siteCachePrefetchRequested,
      { siteId: body.siteId, releaseId: body.releaseId },
      create(SiteCachePrefetchRequestedSchema, { ...body, requestedAt: timestampNow() }),
    );
    return { ...body, requested: true };
  }
}
