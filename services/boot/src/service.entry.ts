import { defineService } from '@muster/runtime';
import { bootConfig } from './boot.config.js';

/** What main.ts starts; tests start the same entry in-process. */
export const bootService = defineService({
  name: 'boot',
  httpPort: 8085,
  extraConfig: { boot: bootConfig() },
  load: async (config) => (await import('./app.parts.js')).bootParts({ publicUrl: config.boot.publicUrl }),
});
