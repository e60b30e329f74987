import { redisConfig, s3Config } from '@muster/config';
import { defineService } from '@muster/runtime';
import { buildConfig, buildSettings } from './build.config.js';

/** What main.ts starts; tests start the same entry in-process. */
export const imageBuildService = defineService({
  name: 'image-build',
  httpPort: 8083,
  extraConfig: { redis: redisConfig(), s3: s3Config(), build: buildConfig() },
  load: async (config) =>
    (await import('./app.parts.js')).imageBuildParts({
      redisUrl: config.redis.url,
      schema: config.database.schema,
      storage: config.s3,
      build: buildSettings(config.build),
    }),
});
