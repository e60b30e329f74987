import { Module, type DynamicModule } from '@nestjs/common';
import type { ServiceParts } from '@muster/runtime';
import { BuildQueue, REDIS_URL } from './builds/build-queue.provider.js';
import { BuildsController } from './builds/builds.controller.js';
import { BuildsRepository } from './builds/builds.repository.js';
import { RecipesAndBuilds1763800000100 } from './migrations/1763800000100-recipes-and-builds.js';

@Module({})
class BuildsModule {
  static forRoot(redisUrl: string): DynamicModule {
    return {
      module: BuildsModule,
      controllers: [BuildsController],
      providers: [{ provide: REDIS_URL, useValue: redisUrl }, BuildQueue, BuildsRepository],
    };
  }
}

export function imageBuildParts(redisUrl: string): ServiceParts {
  return {
    features: [BuildsModule.forRoot(redisUrl)],
    entities: [],
    migrations: [RecipesAndBuilds1763800000100],
    // Builds come from its own tables; its queue registers a Redis check.
    readiness: ['postgres'],
  };
}
