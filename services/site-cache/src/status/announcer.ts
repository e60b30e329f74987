import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { build, contracts } from '@muster/contracts';
import { EventPublisher } from '@muster/messaging';
import { SITE_CACHE_SETTINGS, type SiteCacheSettings } from '../site-cache.config.js';
import { SiteCacheStatusReader } from './site-cache-status.js';

/**
 * Announces the cache with its site on the bus at start and every minute. Published directly
 * (no outbox, no database): a lost announcement is replaced by the next one.
 */
@Injectable()
export class Announcer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Announcer');
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(EventPublisher) private readonly publisher: EventPublisher,
    @Inject(SiteCacheStatusReader) private readonly status: SiteCacheStatusReader,
    @Inject(SITE_CACHE_SETTINGS) private readonly settings: SiteCacheSettings,
  ) {}

  onApplicationBootstrap(): void {
    void this.announce();
    this.timer = setInterval(() => void this.announce(), this.settings.announceEveryMs).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async announce(): Promise<void> {
    const s = this.status.read();
    const at = new Date();
    try {
      await this.publisher.publish(
        contracts.siteCacheAnnounced,
        { cacheId: s.cacheId },
        build(contracts.siteCacheAnnounced.schema, {
          cacheId: s.cacheId,
          siteId: s.siteId,
          url: s.url,
          capacityBytes: BigInt(s.capacityBytes),
          usedBytes: BigInt(s.usedBytes),
          chunkCount: BigInt(s.chunkCount),
          hitRatio: s.hitRatio,
          bytesServed: BigInt(s.bytesServed),
          originBytes: BigInt(s.originBytes),
          at: timestampFromDate(at),
          seq: BigInt(at.getTime()),
        }),
        { time: at, about: s.cacheId },
      );
    } catch (error) {
      this.logger.warn(`announcement not published, again in a minute: ${(error as Error).message}`);
    }
  }
}
