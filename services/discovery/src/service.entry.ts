import { defineService } from '@muster/runtime';
import { discoveryConfig } from './discovery.config.js';

/** What main.ts starts; tests start the same entry in-process. */
export const discoveryService = defineService({
  name: 'discovery',
  httpPort: 8081,
  extraConfig: { discovery: discoveryConfig() },
  load: async (config) =>
    (await import('./app.parts.js')).discoveryParts(
      { trustedRelays: config.discovery.trustedRelays },
      { hours: config.discovery.reportRetentionHours },
    ),
});
