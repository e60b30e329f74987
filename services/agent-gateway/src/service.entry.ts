import { defineService } from '@muster/runtime';

/** What main.ts starts; tests start the same entry in-process. */
export const agentGatewayService = defineService({
  name: 'agent-gateway',
  httpPort: 8087,
  load: async () => (await import('./app.parts.js')).agentGatewayParts,
});
