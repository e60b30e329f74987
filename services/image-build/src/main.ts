import 'reflect-metadata';
import { redisConfig } from '@muster/config';
import { runService } from '@muster/runtime';

await runService(
  {
    name: 'image-build',
    httpPort: 8083,
    extraConfig: { redis: redisConfig() },
    load: async (config) => (await import('./app.parts.js')).imageBuildParts(config.redis.url),
  },
  process.env,
);
