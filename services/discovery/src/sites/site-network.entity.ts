import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One network range of a site: a report from an address inside it belongs to that site. */
@Entity({ name: 'site_networks' })
export class SiteNetworkEntity {
  /** PostgreSQL `cidr`, host bits zeroed (`10.1.0.0/16`). */
  @PrimaryColumn({ type: 'cidr' })
  cidr!: string;

  @Column({ type: 'text', name: 'site_id' })
  siteId!: string;

  /** Inventory's catalog revision of the announcement that placed the network here. */
  @Column({ type: 'bigint' })
  revision!: string;

  @Column({ type: 'timestamptz', name: 'updated_at' })
  updatedAt!: Date;
}
