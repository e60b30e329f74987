import { redisConfig } from '@muster/config';
import { defineService } from '@muster/runtime';

/** What main.ts starts; tests start the same entry in-process. */
export const imageBuildService = defineService({
  name: 'image-build',
  httpPort: 8083,
  extraConfig: { redis: redisConfig() },
  load: async (config) => (await import('./app.parts.js')).imageBuildParts(config.redis.url),
});
