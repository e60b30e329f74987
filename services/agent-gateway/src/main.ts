import 'reflect-metadata';
import { runService } from '@muster/runtime';

await runService(
  {
    name: 'agent-gateway',
    httpPort: 8087,
    load: async () => (await import('./app.parts.js')).agentGatewayParts,
  },
  process.env,
);
