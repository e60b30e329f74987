import type { ServiceParts } from '@muster/runtime';
import type { FleetEventsSettings } from './events/fleet-events.config.js';
import { fleetEventsParts } from './events/fleet-events.module.js';
import { TokenAudit1764500000000 } from './migrations/1764500000000-token-audit.js';
import { OpenApiModule } from './openapi/openapi.module.js';
import { TokensModule } from './tokens/tokens.module.js';

export function apiParts(config: { fleetEvents: FleetEventsSettings }): ServiceParts {
  // Server-sent events and webhooks: their module, the webhook tables and their migration.
  const fleetEvents = fleetEventsParts(config.fleetEvents);
  return {
    features: [TokensModule, OpenApiModule, ...fleetEvents.features],
    entities: [...fleetEvents.entities],
    migrations: [TokenAudit1764500000000, ...fleetEvents.migrations],
    // Tokens live in NATS KV; the audit and the webhooks in its own tables.
    readiness: ['postgres'],
  };
}
