import { Module, type DynamicModule } from '@nestjs/common';
import type { ServiceParts } from '@muster/runtime';
import { BUILD_SETTINGS, type BuildSettings } from './build.config.js';
import { BuildLogController } from './builds/build-log.controller.js';
import { BuildLogRepository } from './builds/build-log.repository.js';
import { BUILD_QUEUE_CONNECTION, BuildQueue, buildQueueConnection } from './builds/build-queue.provider.js';
import { BuildSubmission } from './builds/build-submission.service.js';
import { BuildSubmissionsRepository } from './builds/build-submissions.repository.js';
import { BuildTransitionsRepository } from './builds/build-transitions.repository.js';
import { BuildsController } from './builds/builds.controller.js';
import { BuildsRepository } from './builds/builds.repository.js';
import { QueueSync } from './builds/queue-sync.js';
import { QueueSyncRepository } from './builds/queue-sync.repository.js';
import { RecipesAndBuilds1763800000100 } from './migrations/1763800000100-recipes-and-builds.js';
import { BuildPipeline1765900000100 } from './migrations/1765900000100-build-pipeline.js';
import {
  BUILD_STORAGE_CONFIG,
  BuildBucket,
  type BuildStorageConfig,
} from './storage/build-bucket.provider.js';
import { BuildInputsRepository } from './worker/build-inputs.repository.js';
import { BuildRunner } from './worker/build-runner.js';
import { BuildWorker } from './worker/build-worker.js';

export interface ImageBuildOptions {
  redisUrl: string;
  /** The service's database schema, which also names its queue's keys. */
  schema: string;
  storage: BuildStorageConfig;
  build: BuildSettings;
}

@Module({})
class BuildsModule {
  static forRoot(options: ImageBuildOptions): DynamicModule {
    return {
      module: BuildsModule,
      controllers: [BuildsController, BuildLogController],
      providers: [
        { provide: BUILD_QUEUE_CONNECTION, useValue: buildQueueConnection(options.redisUrl, options.schema) },
        { provide: BUILD_STORAGE_CONFIG, useValue: options.storage },
        { provide: BUILD_SETTINGS, useValue: options.build },
        BuildBucket,
        BuildQueue,
        BuildsRepository,
        BuildLogRepository,
        BuildSubmissionsRepository,
        BuildTransitionsRepository,
        QueueSyncRepository,
        QueueSync,
        BuildSubmission,
        BuildInputsRepository,
        BuildRunner,
        BuildWorker,
      ],
    };
  }
}

export function imageBuildParts(options: ImageBuildOptions): ServiceParts {
  return {
    features: [BuildsModule.forRoot(options)],
    entities: [],
    migrations: [RecipesAndBuilds1763800000100, BuildPipeline1765900000100],
    // Builds come from its own tables; its queue registers a Redis check, its bucket an S3 one.
    readiness: ['postgres'],
  };
}
