import { defineService } from '@muster/runtime';
import { siteCacheConfig, siteCacheSettings } from './site-cache.config.js';

/** What main.ts starts; tests start the same entry in-process. It keeps no database: its index is its disk. */
export const siteCacheService = defineService({
  name: 'site-cache',
  httpPort: 8089,
  database: false,
  extraConfig: { siteCache: siteCacheConfig() },
  load: async (config) =>
    (await import('./app.parts.js')).siteCacheParts(siteCacheSettings(config.siteCache, config.http.port)),
});
