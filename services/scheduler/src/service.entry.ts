import { defineService } from '@muster/runtime';

/** What main.ts starts; tests start the same entry in-process. */
export const schedulerService = defineService({
  name: 'scheduler',
  httpPort: 8086,
  load: async () => (await import('./app.parts.js')).schedulerParts,
});
