import { Module, type DynamicModule } from '@nestjs/common';
import type { ServiceParts } from '@muster/runtime';
import { ChunkLengths } from './chunks/chunk-lengths.js';
import { ChunkSource } from './chunks/chunk-source.js';
import { ChunkVerifier } from './chunks/chunk-verifier.js';
import { ChunksController } from './chunks/chunks.controller.js';
import { DocumentSource } from './documents/document-source.js';
import { DocumentsController } from './documents/documents.controller.js';
import { ManifestSource } from './manifests/manifest-source.js';
import { ManifestsController } from './manifests/manifests.controller.js';
import { OriginClient } from './origin/origin-client.js';
import { PrefetchController } from './prefetch/prefetch.controller.js';
import { PrefetchRequests } from './prefetch/prefetch-requests.js';
import { PrefetchService } from './prefetch/prefetch.service.js';
import { SITE_CACHE_SETTINGS, type SiteCacheSettings } from './site-cache.config.js';
import { Announcer } from './status/announcer.js';
import { CacheStats } from './status/cache-stats.js';
import { SiteCacheStatusReader } from './status/site-cache-status.js';
import { StatusController } from './status/status.controller.js';
import { DiskStore } from './store/disk-store.js';

@Module({})
class SiteCacheModule {
  static forRoot(settings: SiteCacheSettings): DynamicModule {
    return {
      module: SiteCacheModule,
      controllers: [
        ChunksController,
        ManifestsController,
        DocumentsController,
        PrefetchController,
        StatusController,
      ],
      providers: [
        { provide: SITE_CACHE_SETTINGS, useValue: settings },
        CacheStats,
        {
          provide: DiskStore,
          useFactory: (stats: CacheStats) =>
            DiskStore.open(settings.dir, settings.maxBytes, () => stats.evicted()),
          inject: [CacheStats],
        },
        {
          provide: OriginClient,
          useFactory: (stats: CacheStats) =>
            new OriginClient(settings.origin, (bytes) => stats.fromOrigin(bytes)),
          inject: [CacheStats],
        },
        ChunkLengths,
        ChunkVerifier,
        ChunkSource,
        ManifestSource,
        DocumentSource,
        PrefetchService,
        PrefetchRequests,
        SiteCacheStatusReader,
        Announcer,
      ],
    };
  }
}

export function siteCacheParts(settings: SiteCacheSettings): ServiceParts {
  return {
    features: [SiteCacheModule.forRoot(settings)],
    entities: [],
    migrations: [],
    // It serves from its own disk: neither the bus nor the origin is needed to be ready.
    readiness: [],
  };
}
