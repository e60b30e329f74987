import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, type Repository } from 'typeorm';
import { SiteNetworkEntity } from './site-network.entity.js';

export interface SiteNetworks {
  siteId: string;
  cidrs: string[];
}

/** One site's state as inventory announced it. */
export interface SiteUpdate {
  siteId: string;
  revision: bigint;
  cidrs: readonly string[];
  deleted: boolean;
}

/**
 * Discovery's copy of the sites' networks (inventory owns them). Raw SQL where PostgreSQL's
 * network types do the work: `inet::cidr` zeroes host bits, so `10.1.2.3/16` is stored as
 * `10.1.0.0/16`.
 */
@Injectable()
export class SiteNetworksRepository {
  constructor(@Inject(DataSource) readonly ds: DataSource) {}

  /**
   * Applies a site's announced state if its revision is above the one held for the site;
   * returns whether it did. A network moves to the site whose announcement has the higher
   * revision: a late event of its old site neither takes it back nor removes it.
   */
  async apply(manager: EntityManager, update: SiteUpdate): Promise<boolean> {
    const newer = await manager.query<unknown[]>(
      `INSERT INTO site_revision (site_id, revision, deleted) VALUES ($1, $2, $3)
       ON CONFLICT (site_id) DO UPDATE SET revision = excluded.revision, deleted = excluded.deleted
         WHERE site_revision.revision < excluded.revision
       RETURNING site_id`,
      [update.siteId, update.revision.toString(), update.deleted],
    );
    if (newer.length === 0) return false;
    await manager.query('DELETE FROM site_networks WHERE site_id = $1', [update.siteId]);
    if (!update.deleted && update.cidrs.length > 0) {
      await manager.query(
        `INSERT INTO site_networks (cidr, site_id, revision, updated_at)
         SELECT DISTINCT c::inet::cidr, $2, $3::bigint, now() FROM unnest($1::text[]) c
         ON CONFLICT (cidr) DO UPDATE
           SET site_id = excluded.site_id, revision = excluded.revision, updated_at = now()
           WHERE site_networks.revision < excluded.revision`,
        [update.cidrs, update.siteId, update.revision.toString()],
      );
    }
    return true;
  }

  async find(siteId: string): Promise<SiteNetworks | undefined> {
    return this.findIn(this.ds.getRepository(SiteNetworkEntity), siteId);
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

  private async findIn(
    repo: Repository<SiteNetworkEntity>,
    siteId: string,
  ): Promise<SiteNetworks | undefined> {
    const rows = await repo.find({ where: { siteId }, order: { cidr: 'ASC' } });
    return rows.length === 0 ? undefined : { siteId, cidrs: rows.map((r) => r.cidr) };
  }
}
