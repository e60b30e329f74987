import 'reflect-metadata';
import { runService } from '@muster/runtime';

await runService(
  { name: 'scheduler', httpPort: 8086, load: async () => (await import('./app.parts.js')).schedulerParts },
  process.env,
);
