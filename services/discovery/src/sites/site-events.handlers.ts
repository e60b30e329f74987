import { Inject, Injectable } from '@nestjs/common';
import { contracts, type SiteChanged } from '@muster/contracts';
import { OnEvent, type Delivery } from '@muster/messaging';
import { SiteNetworksRepository } from './site-networks.repository.js';

export const SITE_CHANGED_CONSUMER = 'discovery-site-changed';

/**
 * Keeps discovery's copy of the sites' networks from inventory's `site.changed` events. Each
 * applies once in effect by its revision (SiteNetworksRepository.apply): a replay or a late
 * event changes nothing, whatever order events arrive in. A batch is one transaction.
 */
@Injectable()
export class SiteEventsHandlers {
  constructor(@Inject(SiteNetworksRepository) private readonly networks: SiteNetworksRepository) {}

  @OnEvent(contracts.siteChanged, { durable: SITE_CHANGED_CONSUMER, batchSize: 100 })
  async onSiteChanged(deliveries: readonly Delivery<SiteChanged>[]): Promise<void> {
    // Lowest revision first: within a batch a network moving between sites lands where the
    // later announcement puts it.
    const ordered = [...deliveries].sort((a, b) => (a.message.revision < b.message.revision ? -1 : 1));
    await this.networks.ds.transaction(async (manager) => {
      for (const { message } of ordered) {
        await this.networks.apply(manager, {
          siteId: message.siteId,
          revision: message.revision,
          cidrs: message.site?.networks ?? [],
          deleted: message.deleted,
        });
      }
    });
  }
}
