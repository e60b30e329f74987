import { Module, type DynamicModule } from '@nestjs/common';
import type { ServiceParts } from '@muster/runtime';
import { ReleasesAndChunks1763800000100 } from './migrations/1763800000100-releases-and-chunks.js';
import { ReleasesController } from './releases/releases.controller.js';
import { ReleasesRepository } from './releases/releases.repository.js';
import {
  ARTIFACT_STORAGE_CONFIG,
  ArtifactBucket,
  type ArtifactStorageConfig,
} from './storage/artifact-bucket.provider.js';

@Module({})
class ReleasesModule {
  static forRoot(storage: ArtifactStorageConfig): DynamicModule {
    return {
      module: ReleasesModule,
      controllers: [ReleasesController],
      providers: [
        { provide: ARTIFACT_STORAGE_CONFIG, useValue: storage },
        ArtifactBucket,
        ReleasesRepository,
      ],
    };
  }
}

export function artifactStoreParts(storage: ArtifactStorageConfig): ServiceParts {
  return {
    features: [ReleasesModule.forRoot(storage)],
    entities: [],
    migrations: [ReleasesAndChunks1763800000100],
    // Releases come from its own tables; its bucket registers an S3 check.
    readiness: ['postgres'],
  };
}
