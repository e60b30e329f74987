import 'reflect-metadata';
import { s3Config } from '@muster/config';
import { runService } from '@muster/runtime';

await runService(
  {
    name: 'artifact-store',
    httpPort: 8084,
    extraConfig: { s3: s3Config() },
    load: async (config) => (await import('./app.parts.js')).artifactStoreParts(config.s3),
  },
  process.env,
);
