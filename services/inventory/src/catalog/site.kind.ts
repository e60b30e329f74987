import { create, toJson } from '@bufbuild/protobuf';
import { contracts, SiteChangedSchema, SiteSchema } from '@muster/contracts';
import { CatalogConflictError, type CatalogKind } from './catalog-kind.js';
import { changeFields, FULL_JSON, metaFields } from './catalog-message.js';
import { usedBy } from './catalog-refs.js';
import { siteCreate, sitePatch, type SiteValue } from './catalog.schemas.js';

function siteMessage(value: SiteValue, meta: Parameters<typeof metaFields>[0]) {
  return create(SiteSchema, {
    siteId: value.siteId,
    name: value.name,
    timeZone: value.timeZone,
    maintenanceWindows: value.maintenanceWindows,
    networks: value.networks,
    bandwidthBudgetKbps: BigInt(value.bandwidthBudgetKbps),
    cacheUrl: value.cacheUrl ?? '',
    ...metaFields(meta),
  });
}

/**
 * Sites. A site's networks are also kept one row per network (`site_network`, primary key on
 * the network), so that no network belongs to two sites; discovery keeps its copy from the
 * `site.changed` events.
 */
export const siteKind: CatalogKind<SiteValue, typeof siteCreate, typeof sitePatch> = {
  noun: 'site',
  path: 'v1/sites',
  listKey: 'sites',
  table: 'site',
  idColumn: 'site_id',
  idKey: 'siteId',
  columns: [
    { column: 'name', key: 'name', cast: 'text' },
    { column: 'time_zone', key: 'timeZone', cast: 'text' },
    { column: 'maintenance_windows', key: 'maintenanceWindows', cast: 'jsonb' },
    { column: 'networks', key: 'networks', cast: 'cidr[]', read: 'networks::text[]' },
    { column: 'bandwidth_budget_kbps', key: 'bandwidthBudgetKbps', cast: 'bigint', parse: Number },
    { column: 'cache_url', key: 'cacheUrl', cast: 'text' },
  ],
  create: siteCreate,
  patch: sitePatch,
  toJson: (value, meta) => toJson(SiteSchema, siteMessage(value, meta), FULL_JSON),
  announce: (outbox, manager, value, meta, deleted) =>
    outbox
      .add(
        manager,
        contracts.siteChanged,
        { siteId: value.siteId },
        create(SiteChangedSchema, {
          siteId: value.siteId,
          site: siteMessage(value, meta),
          ...changeFields(meta, deleted),
        }),
      )
      .then(() => undefined),
  checkReferences: async (manager, value) => {
    const taken = await manager.query<{ cidr: string; site_id: string }[]>(
      `SELECT cidr::text AS cidr, site_id FROM site_network
        WHERE cidr = ANY($1::cidr[]) AND site_id <> $2 ORDER BY cidr`,
      [value.networks, value.siteId],
    );
    if (taken.length > 0) {
      throw new CatalogConflictError(
        `networks already belong to other sites: ${taken.map((t) => `${t.cidr} (${t.site_id})`).join(', ')}`,
      );
    }
  },
  afterWrite: async (manager, value) => {
    await manager.query('DELETE FROM site_network WHERE site_id = $1', [value.siteId]);
    await manager.query('INSERT INTO site_network (cidr, site_id) SELECT unnest($1::cidr[]), $2', [
      value.networks,
      value.siteId,
    ]);
  },
  inUse: (manager, id) => usedBy(manager, 'site', id),
};
