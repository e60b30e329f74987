import { Inject, Injectable } from '@nestjs/common';
import { fleetEvents, webhookDurable, type MessageContract } from '@muster/contracts';
import { OnEvent, type Delivery } from '@muster/messaging';
import { applyOnce } from '@muster/persistence';
import { cloudEventOf } from '../events/cloud-event.js';
import { siteOf, typeMatches } from '../events/event-selection.js';
import type { WebhookEntity } from './webhook.entity.js';
import { WebhooksRepository, type NewDelivery } from './webhooks.repository.js';

/** Whether a webhook wants an event of this type and site. */
export function webhookWants(
  hook: Pick<WebhookEntity, 'types' | 'siteId'>,
  type: string,
  site: string | undefined,
): boolean {
  return (
    (hook.types.length === 0 || hook.types.some((p) => typeMatches(p, type))) &&
    (hook.siteId === null || hook.siteId === site)
  );
}

/**
 * The outbox of webhook deliveries: each fleet event, in the transaction that claims it in the
 * inbox, becomes one delivery row per webhook that wants it. Sending is the delivery worker's
 * job, so a slow or dead receiver never holds back the bus.
 */
@Injectable()
export class WebhookFanout {
  constructor(@Inject(WebhooksRepository) private readonly webhooks: WebhooksRepository) {}

  async fanOut(
    contract: MessageContract,
    durable: string,
    deliveries: readonly Delivery<unknown>[],
  ): Promise<void> {
    await applyOnce(this.webhooks.ds, durable, deliveries, async (manager, fresh) => {
      const hooks = await this.webhooks.all(manager);
      if (hooks.length === 0) return;
      const rows: NewDelivery[] = [];
      for (const d of fresh) {
        const site = siteOf(contract, d.subject);
        const wanting = hooks.filter((h) => webhookWants(h, contract.type, site));
        if (wanting.length === 0) continue;
        const body = JSON.stringify(cloudEventOf(contract, d.meta, d.message));
        for (const h of wanting)
          rows.push({ webhookId: h.webhookId, eventId: d.meta.id, eventType: contract.type, body });
      }
      await this.webhooks.addDeliveries(manager, rows);
    });
  }
}

/**
 * One `@OnEvent` method per fleet event, each with its durable from the bus manifest
 * (`webhookDurable`), made from the one list so that a new fleet event is fanned out without a
 * line here.
 */
@Injectable()
export class WebhookFanoutHandlers {
  constructor(@Inject(WebhookFanout) readonly fanout: WebhookFanout) {}
}

for (const contract of fleetEvents) {
  const durable = webhookDurable(contract);
  const name = `on_${contract.name.replaceAll('.', '_')}`;
  const method = async function (this: WebhookFanoutHandlers, deliveries: readonly Delivery<unknown>[]) {
    await this.fanout.fanOut(contract, durable, deliveries);
  };
  Object.defineProperty(WebhookFanoutHandlers.prototype, name, {
    value: method,
    writable: true,
    configurable: true,
  });
  const descriptor = Object.getOwnPropertyDescriptor(WebhookFanoutHandlers.prototype, name)!;
  OnEvent(contract, { durable, batchSize: 100 })(WebhookFanoutHandlers.prototype, name, descriptor);
}
