import { Inject, Injectable } from '@nestjs/common';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import { contracts, type SiteCacheAnnounced } from '@muster/contracts';
import { OnEvent, type Delivery } from '@muster/messaging';
import { SiteCachesRepository } from './site-caches.repository.js';

/** Keeps the last announcement of every site cache, for `GET /v1/site-caches`. */
@Injectable()
export class SiteCachesHandlers {
  constructor(@Inject(SiteCachesRepository) private readonly caches: SiteCachesRepository) {}

  @OnEvent(contracts.siteCacheAnnounced, { durable: 'artifact-store-site-caches', batchSize: 100 })
  async onAnnounced(deliveries: readonly Delivery<SiteCacheAnnounced>[]): Promise<void> {
    for (const { message: m } of deliveries) {
      await this.caches.record({
        cacheId: m.cacheId,
        siteId: m.siteId,
        url: m.url,
        announcedAt: m.at ? timestampDate(m.at) : new Date(),
        seq: m.seq,
        status: {
          capacityBytes: Number(m.capacityBytes),
          usedBytes: Number(m.usedBytes),
          chunkCount: Number(m.chunkCount),
          hitRatio: m.hitRatio,
          bytesServed: Number(m.bytesServed),
          originBytes: Number(m.originBytes),
        },
      });
    }
  }
}
