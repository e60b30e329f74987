import { s3Config } from '@muster/config';
import { defineService } from '@muster/runtime';

/** What main.ts starts; tests start the same entry in-process. */
export const artifactStoreService = defineService({
  name: 'artifact-store',
  httpPort: 8084,
  extraConfig: { s3: s3Config() },
  load: async (config) => (await import('./app.parts.js')).artifactStoreParts(config.s3),
});
