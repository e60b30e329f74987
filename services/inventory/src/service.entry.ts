import { defineService } from '@muster/runtime';

/** What main.ts starts; tests start the same entry in-process. */
export const inventoryService = defineService({
  name: 'inventory',
  httpPort: 8082,
  load: async () => (await import('./app.parts.js')).inventoryParts,
});
