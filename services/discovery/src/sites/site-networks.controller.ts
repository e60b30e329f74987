import { Controller, Get, Inject, NotFoundException, Param, Query } from '@nestjs/common';
import { pageLimit, slug } from '@muster/runtime';
import { z } from 'zod';
import { SiteNetworksRepository, type SiteNetworks } from './site-networks.repository.js';

const siteParam = z.object({ siteId: slug }).strict();
const listQuery = z.object({ limit: pageLimit, after: slug.optional() }).strict();

/**
 * Discovery's copy of the site networks, which decides the site of a discovered machine; read
 * only. Inventory owns sites (`/v1/sites`); this copy follows its `site.changed` events.
 */
@Controller('v1/discovery/site-networks')
export class SiteNetworksController {
  constructor(@Inject(SiteNetworksRepository) private readonly networks: SiteNetworksRepository) {}

  @Get()
  async list(
    @Query({ schema: listQuery }) query: z.infer<typeof listQuery>,
  ): Promise<{ sites: SiteNetworks[]; next?: string }> {
    const sites = await this.networks.list(query.limit, query.after);
    const last = sites.at(-1);
    return sites.length === query.limit && last ? { sites, next: last.siteId } : { sites };
  }

  @Get(':siteId')
  async get(@Param({ schema: siteParam }) params: z.infer<typeof siteParam>): Promise<SiteNetworks> {
    const found = await this.networks.find(params.siteId);
    if (!found) throw new NotFoundException(`no networks for site ${params.siteId}`);
    return found;
  }
}
