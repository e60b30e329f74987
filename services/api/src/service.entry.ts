import { defineService } from '@muster/runtime';
import { fleetEventsConfig } from './events/fleet-events.config.js';

/** What main.ts starts; tests start the same entry in-process. */
export const apiService = defineService({
  name: 'api',
  httpPort: 8088,
  extraConfig: { fleetEvents: fleetEventsConfig() },
  load: async (config) => (await import('./app.parts.js')).apiParts(config),
});
