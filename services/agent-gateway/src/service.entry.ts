import { defineService } from '@muster/runtime';
import { gatewayConfig, randomInstanceId } from './gateway.config.js';

/** What main.ts starts; tests start the same entry in-process. */
export const agentGatewayService = defineService({
  name: 'agent-gateway',
  httpPort: 8087,
  extraConfig: { gateway: gatewayConfig() },
  load: async (config) =>
    (await import('./app.parts.js')).agentGatewayParts({
      ...config.gateway,
      instanceId: config.gateway.instanceId ?? randomInstanceId(),
    }),
});
