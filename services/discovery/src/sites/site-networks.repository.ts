import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type Repository } from 'typeorm';
import { SiteNetworkEntity } from './site-network.entity.js';

export interface SiteNetworks {
  siteId: string;
  cidrs: string[];
}

export class NetworkTakenError extends Error {
  override readonly name = 'NetworkTakenError';
  constructor(readonly taken: { cidr: string; siteId: string }[]) {
    super(
      `networks already belong to other sites: ${taken.map((t) => `${t.cidr} (${t.siteId})`).join(', ')}`,
    );
  }
}

/**
 * Discovery's table of site networks. Raw SQL where PostgreSQL's network types do the work:
 * `inet::cidr` zeroes host bits, so `10.1.2.3/16` is stored as `10.1.0.0/16`.
 */
@Injectable()
export class SiteNetworksRepository {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}

  /** Makes `cidrs` the site's whole set of networks. A network of another site is refused. */
  async replace(siteId: string, cidrs: readonly string[]): Promise<SiteNetworks> {
    return this.ds.transaction(async (manager) => {
      const taken = await manager.query<{ cidr: string; site_id: string }[]>(
        `SELECT cidr::text AS cidr, site_id FROM site_networks
          WHERE cidr IN (SELECT c::inet::cidr FROM unnest($1::text[]) c) AND site_id <> $2
          ORDER BY cidr FOR UPDATE`,
        [cidrs, siteId],
      );
      if (taken.length > 0)
        throw new NetworkTakenError(taken.map((t) => ({ cidr: t.cidr, siteId: t.site_id })));
      await manager.query('DELETE FROM site_networks WHERE site_id = $1', [siteId]);
      await manager.query(
        `INSERT INTO site_networks (cidr, site_id)
         SELECT DISTINCT c::inet::cidr, $2 FROM unnest($1::text[]) c`,
        [cidrs, siteId],
      );
      return (await this.findInTx(manager.getRepository(SiteNetworkEntity), siteId)) ?? { siteId, cidrs: [] };
    });
  }

  async find(siteId: string): Promise<SiteNetworks | undefined> {
    return this.findInTx(this.ds.getRepository(SiteNetworkEntity), siteId);
  }

  /** Sites in id order with their networks, a page at a time. */
  async list(limit: number, afterSiteId: string | undefined): Promise<SiteNetworks[]> {
    const rows = await this.ds.query<{ site_id: string; cidrs: string[] }[]>(
      `SELECT site_id, array_agg(cidr::text ORDER BY cidr) AS cidrs FROM site_networks
        WHERE site_id > $1 GROUP BY site_id ORDER BY site_id LIMIT $2`,
      [afterSiteId ?? '', limit],
    );
    return rows.map((r) => ({ siteId: r.site_id, cidrs: r.cidrs }));
  }

  /** Forgets a site's networks; returns how many there were. */
  async remove(siteId: string): Promise<number> {
    const result = await this.ds.getRepository(SiteNetworkEntity).delete({ siteId });
    return result.affected ?? 0;
  }

  private async findInTx(
    repo: Repository<SiteNetworkEntity>,
    siteId: string,
  ): Promise<SiteNetworks | undefined> {
    const rows = await repo.find({ where: { siteId }, order: { cidr: 'ASC' } });
    return rows.length === 0 ? undefined : { siteId, cidrs: rows.map((r) => r.cidr) };
  }
}
