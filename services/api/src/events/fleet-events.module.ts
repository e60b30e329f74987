import { Module, type DynamicModule } from '@nestjs/common';
import { Webhooks1764600000000 } from '../migrations/1764600000000-webhooks.js';
import { WebhookDeliveryEntity, WebhookEntity } from '../webhooks/webhook.entity.js';
import { WebhookDeliveryWorker } from '../webhooks/webhook-delivery.worker.js';
import { WebhookFanout, WebhookFanoutHandlers } from '../webhooks/webhook-fanout.handlers.js';
import { WebhooksController } from '../webhooks/webhooks.controller.js';
import { WebhooksRepository } from '../webhooks/webhooks.repository.js';
import { EventStreamService } from './event-stream.service.js';
import { EventsController } from './events.controller.js';
import { FLEET_EVENTS_SETTINGS, type FleetEventsSettings } from './fleet-events.config.js';

/** Fleet events for other systems: `GET /v1/events` (server-sent events) and webhooks. */
@Module({})
export class FleetEventsModule {
  static forRoot(settings: FleetEventsSettings): DynamicModule {
    return {
      module: FleetEventsModule,
      controllers: [EventsController, WebhooksController],
      providers: [
        { provide: FLEET_EVENTS_SETTINGS, useValue: settings },
        EventStreamService,
        WebhooksRepository,
        WebhookFanout,
        WebhookFanoutHandlers,
        WebhookDeliveryWorker,
      ],
    };
  }
}

/** What app.parts.ts registers for fleet events: the module, its entities and its migration. */
export function fleetEventsParts(settings: FleetEventsSettings) {
  return {
    features: [FleetEventsModule.forRoot(settings)],
    entities: [WebhookEntity, WebhookDeliveryEntity],
    migrations: [Webhooks1764600000000],
  };
}
