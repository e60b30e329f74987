import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { contracts, decode } from '@muster/contracts';
import { BusConnection, StreamTail } from '@muster/messaging';
import { SITE_CACHE_SETTINGS, type SiteCacheSettings } from '../site-cache.config.js';
import { DiskStore } from '../store/disk-store.js';
import { PrefetchService } from './prefetch.service.js';

const POSITION_FILE = 'bus-position.json';
const RETRY_MS = 5_000;

/**
 * Reads its site's prefetch requests from the SITE_CACHES stream, from the position kept on its
 * disk (the stream keeps them six hours, so a cache that was off for less catches up), and
 * starts each. A first start reads only what comes next. Requests are idempotent: one prefetch
 * per release at a time, and what is held is not fetched again.
 */
@Injectable()
export class PrefetchRequests implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('PrefetchRequests');
  private tail: StreamTail | undefined;
  private stopped = false;

  constructor(
    @Inject(BusConnection) private readonly bus: BusConnection,
    @Inject(PrefetchService) private readonly prefetch: PrefetchService,
    @Inject(DiskStore) private readonly disk: DiskStore,
    @Inject(SITE_CACHE_SETTINGS) private readonly settings: SiteCacheSettings,
  ) {}

  onApplicationBootstrap(): void {
    void this.follow();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.tail?.close();
  }

  private async follow(): Promise<void> {
    const stream = contracts.siteCachePrefetchRequested.stream;
    while (!this.stopped) {
      try {
        let afterSeq = await this.position();
        if (afterSeq === undefined) {
          afterSeq = await StreamTail.lastSeq(this.bus, stream);
          await this.savePosition(afterSeq);
        }
        this.tail = await StreamTail.open(this.bus, {
          stream,
          filterSubject: contracts.siteCachePrefetchRequested.pattern({ siteId: this.settings.siteId }),
          start: { afterSeq },
        });
        if (this.stopped) return void (await this.tail.close());
        for await (const message of this.tail.messages()) {
          try {
            const request = decode(contracts.siteCachePrefetchRequested.schema, message.data);
            this.logger.log(`prefetch of release ${request.releaseId} requested on the bus`);
            this.prefetch.start(request.releaseId);
          } catch (error) {
            this.logger.warn(
              `ignoring an invalid prefetch request (seq ${message.seq}): ${(error as Error).message}`,
            );
          }
          await this.savePosition(message.seq);
        }
      } catch (error) {
        if (this.stopped) return;
        this.logger.warn(
          `reading prefetch requests failed, again in ${RETRY_MS} ms: ${(error as Error).message}`,
        );
        await this.tail?.close();
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS).unref());
      }
    }
  }

  private savePosition(afterSeq: number): Promise<void> {
    return this.disk.writeDocument([POSITION_FILE], Buffer.from(JSON.stringify({ afterSeq })));
  }

  private async position(): Promise<number | undefined> {
    try {
      const saved = JSON.parse(await readFile(join(this.disk.dir, 'documents', POSITION_FILE), 'utf8')) as {
        afterSeq?: unknown;
      };
      return typeof saved.afterSeq === 'number' ? saved.afterSeq : undefined;
    } catch {
      return undefined;
    }
  }
}
