import 'reflect-metadata';
import { runService } from '@muster/runtime';

await runService(
  { name: 'discovery', httpPort: 8081, load: async () => (await import('./app.parts.js')).discoveryParts },
  process.env,
);
