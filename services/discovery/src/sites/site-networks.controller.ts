import {
  Body,
  ConflictException,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Put,
  Query,
} from '@nestjs/common';
import { pageLimit, slug } from '@muster/runtime';
import { z } from 'zod';
import { NetworkTakenError, SiteNetworksRepository, type SiteNetworks } from './site-networks.repository.js';

const siteParam = z.object({ siteId: slug }).strict();
const networksBody = z
  .object({
    cidrs: z
      .array(z.union([z.cidrv4(), z.cidrv6()]))
      .min(1)
      .max(1000),
  })
  .strict();
const listQuery = z.object({ limit: pageLimit, after: slug.optional() }).strict();

/**
 * Discovery's own table of site networks, which decides the site of a discovered machine.
 * Sites are built in the next issue: inventory will own them and their ranges and announce
 * them on the bus, and a consumer of those site events will then write this table through
 * SiteNetworksRepository (replace on a site's creation or change, remove on its deletion).
 * Until then this admin route sets it, for the local stack and the tests.
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

  /** Replaces the site's networks; 409 names any network that belongs to another site. */
  @Put(':siteId')
  async replace(
    @Param({ schema: siteParam }) params: z.infer<typeof siteParam>,
    @Body({ schema: networksBody }) body: z.infer<typeof networksBody>,
  ): Promise<SiteNetworks> {
    try {
      return await this.networks.replace(params.siteId, body.cidrs);
    } catch (err) {
      if (err instanceof NetworkTakenError)
        throw new ConflictException({ message: err.message, taken: err.taken });
      throw err;
    }
  }

  @Delete(':siteId')
  @HttpCode(204)
  async remove(@Param({ schema: siteParam }) params: z.infer<typeof siteParam>): Promise<void> {
    if ((await this.networks.remove(params.siteId)) === 0) {
      throw new NotFoundException(`no networks for site ${params.siteId}`);
    }
  }
}
