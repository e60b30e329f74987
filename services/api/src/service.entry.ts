import { defineService } from '@muster/runtime';

/** What main.ts starts; tests start the same entry in-process. */
export const apiService = defineService({
  name: 'api',
  httpPort: 8088,
  load: async () => (await import('./app.parts.js')).apiParts,
});
