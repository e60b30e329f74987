import 'reflect-metadata';
import { runService } from '@muster/runtime';

await runService(
  { name: 'inventory', httpPort: 8082, load: async () => (await import('./app.parts.js')).inventoryParts },
  process.env,
);
