import 'reflect-metadata';
import { runService } from '@muster/runtime';

await runService(
  { name: 'boot', httpPort: 8085, load: async () => (await import('./app.parts.js')).bootParts },
  process.env,
);
