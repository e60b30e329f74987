import { s3Config } from '@muster/config';
import { defineService } from '@muster/runtime';
import { artifactConfig, artifactSettings } from './artifact.config.js';

/** What main.ts starts; tests start the same entry in-process. */
export const artifactStoreService = defineService({
  name: 'artifact-store',
  httpPort: 8084,
  extraConfig: { s3: s3Config(), artifacts: artifactConfig() },
  load: async (config) =>
    (await import('./app.parts.js')).artifactStoreParts({
      storage: config.s3,
      settings: artifactSettings(config.artifacts),
    }),
});
