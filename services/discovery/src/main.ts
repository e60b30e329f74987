import 'reflect-metadata';
import { runService } from '@muster/runtime';
import { discoveryConfig } from './discovery.config.js';

await runService(
  {
    name: 'discovery',
    httpPort: 8081,
    extraConfig: discoveryConfig(),
    load: async (config) => (await import('./app.parts.js')).discoveryParts(config.discovery),
  },
  process.env,
);
