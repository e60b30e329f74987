import { formatBytes } from './progress.js';
import { renderRecord, type Column } from './table.js';

/** The figures a site cache reports (GET <cache>/v1/status, and in its announcements). */
export interface SiteCacheFigures {
  capacityBytes?: number;
  usedBytes?: number;
  chunkCount?: number;
  hitRatio?: number;
  bytesServed?: number;
  originBytes?: number;
  bytesSaved?: number;
  hits?: number;
  misses?: number;
  evictions?: number;
  refused?: Record<string, number>;
}

/** One cache as `GET /v1/site-caches` lists it. */
export interface SiteCacheRow {
  cacheId: string;
  siteId?: string;
  url?: string;
  announcedAt?: string;
  status?: SiteCacheFigures;
}

/** `87.5%`; a ratio the cache has not got yet (no requests) is `-`. */
export function formatRatio(ratio: number | undefined): string {
  return typeof ratio === 'number' && Number.isFinite(ratio) ? `${(ratio * 100).toFixed(1)}%` : '-';
}

/** `3.0 GiB of 100.0 GiB (3.0%)`. */
export function usedText(f: SiteCacheFigures | undefined): string {
  if (f?.usedBytes === undefined) return '-';
  if (!f.capacityBytes) return formatBytes(f.usedBytes);
  return `${formatBytes(f.usedBytes)} of ${formatBytes(f.capacityBytes)} (${formatRatio(f.usedBytes / f.capacityBytes)})`;
}

export const siteCacheColumns: readonly Column<SiteCacheRow>[] = [
  { header: 'CACHE', value: (c) => c.cacheId, max: 36 },
  { header: 'SITE', value: (c) => c.siteId, max: 32 },
  { header: 'URL', value: (c) => c.url, max: 48 },
  { header: 'USED', value: (c) => usedText(c.status), max: 40 },
  { header: 'CHUNKS', value: (c) => c.status?.chunkCount },
  { header: 'HIT RATIO', value: (c) => formatRatio(c.status?.hitRatio) },
  { header: 'SERVED', value: (c) => formatBytes(c.status?.bytesServed) },
  { header: 'FROM ORIGIN', value: (c) => formatBytes(c.status?.originBytes) },
  { header: 'ANNOUNCED', value: (c) => c.announcedAt, max: 24 },
];

/** `site-caches status URL` for people: the cache's own figures, sizes and ratios readable. */
export function renderSiteCacheStatus(s: SiteCacheFigures & Record<string, unknown>): string {
  const {
    capacityBytes: _capacity,
    usedBytes: _used,
    hitRatio,
    bytesServed,
    originBytes,
    bytesSaved,
    refused,
    ...rest
  } = s;
  const refusals = Object.entries(refused ?? {}).filter(([, n]) => n > 0);
  return renderRecord({
    ...rest,
    used: usedText(s),
    'hit ratio': formatRatio(hitRatio),
    served: formatBytes(bytesServed),
    'from origin': formatBytes(originBytes),
    saved: formatBytes(bytesSaved),
    refused: refusals.length === 0 ? 'none' : refusals.map(([k, n]) => `${k}=${n}`).join(', '),
  });
}
