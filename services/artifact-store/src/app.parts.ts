import { Module, type DynamicModule } from '@nestjs/common';
import type { ServiceParts } from '@muster/runtime';
import { ARTIFACT_SETTINGS, type ArtifactSettings } from './artifact.config.js';
import { ChannelsController } from './channels/channels.controller.js';
import { ChunkCatalogRepository } from './chunks/chunk-catalog.repository.js';
import { ChunksController } from './delivery/chunks.controller.js';
import { DeliveryMetrics } from './delivery/delivery.metrics.js';
import { FileStreamer } from './delivery/file-streamer.js';
import { ManifestCache } from './delivery/manifest-cache.js';
import { ManifestsController } from './delivery/manifests.controller.js';
import { GarbageCollector } from './gc/garbage-collector.repository.js';
import { GcScheduler } from './gc/gc-scheduler.js';
import { GcController } from './gc/gc.controller.js';
import { BuildIngest } from './ingest/build-ingest.js';
import { BuildIngestHandlers } from './ingest/build-ingest.handlers.js';
import { IngestRepository } from './ingest/ingest.repository.js';
import { ReleasesAndChunks1763800000100 } from './migrations/1763800000100-releases-and-chunks.js';
import { ChunkStore1766100000100 } from './migrations/1766100000100-chunk-store.js';
import { ReleasePinsHandlers } from './pins/release-pins.handlers.js';
import { ReleasePinsRepository } from './pins/release-pins.repository.js';
import { DocumentRefresher } from './releases/document-refresher.js';
import { DeltaPlanner } from './releases/delta-plan.repository.js';
import { ReleaseDocuments } from './releases/release-documents.repository.js';
import { ReleaseLifecycle } from './releases/release-lifecycle.repository.js';
import { ReleasePublisher } from './releases/release-publisher.repository.js';
import { ReleasesController } from './releases/releases.controller.js';
import { ReleasesRepository } from './releases/releases.repository.js';
import { SiteCachesController } from './site-caches/site-caches.controller.js';
import { SiteCachesHandlers } from './site-caches/site-caches.handlers.js';
import { SiteCachesRepository } from './site-caches/site-caches.repository.js';
import {
  ARTIFACT_STORAGE_CONFIG,
  ArtifactBucket,
  type ArtifactStorageConfig,
} from './storage/artifact-bucket.provider.js';

export interface ArtifactStoreOptions {
  storage: ArtifactStorageConfig;
  settings: ArtifactSettings;
}

@Module({})
class ArtifactsModule {
  static forRoot(options: ArtifactStoreOptions): DynamicModule {
    return {
      module: ArtifactsModule,
      controllers: [
        ReleasesController,
        ChannelsController,
        ChunksController,
        ManifestsController,
        GcController,
        SiteCachesController,
      ],
      providers: [
        { provide: ARTIFACT_STORAGE_CONFIG, useValue: options.storage },
        { provide: ARTIFACT_SETTINGS, useValue: options.settings },
        ArtifactBucket,
        ChunkCatalogRepository,
        DeliveryMetrics,
        ManifestCache,
        FileStreamer,
        ReleasesRepository,
        ReleaseDocuments,
        ReleasePublisher,
        ReleaseLifecycle,
        DocumentRefresher,
        DeltaPlanner,
        BuildIngest,
        IngestRepository,
        BuildIngestHandlers,
        ReleasePinsHandlers,
        ReleasePinsRepository,
        GarbageCollector,
        GcScheduler,
        SiteCachesRepository,
        SiteCachesHandlers,
      ],
    };
  }
}

export function artifactStoreParts(options: ArtifactStoreOptions): ServiceParts {
  return {
    features: [ArtifactsModule.forRoot(options)],
    entities: [],
    migrations: [ReleasesAndChunks1763800000100, ChunkStore1766100000100],
    // Releases come from its own tables; its bucket registers an S3 check.
    readiness: ['postgres'],
  };
}
