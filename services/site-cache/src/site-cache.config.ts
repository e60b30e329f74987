import { hostname } from 'node:os';
import { envVar, intValue, urlValue } from '@muster/config';
import { z } from 'zod';

const GiB = 1024 ** 3;
const token = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_-]{1,128}$/, { error: 'must be 1–128 of A-Z a-z 0-9 _ -' });

/** The site cache's own settings, beside the common ones (HTTP, the bus, logs). */
export function siteCacheConfig() {
  return {
    /** Where chunks, manifests and the last good release documents are kept: its whole index. */
    dir: envVar(
      'MUSTER_SITE_CACHE_DIR',
      z
        .string()
        .trim()
        .regex(/^\//, { error: 'must be an absolute path' })
        .default('/var/lib/muster/site-cache'),
    ),
    /** Disk the chunks and manifests may take; least recently used ones go beyond it. */
    maxBytes: envVar('MUSTER_SITE_CACHE_MAX_BYTES', intValue({ min: 1 }).default(100 * GiB)),
    /** The artifact store (or a cache nearer to it) that it reads through. */
    origin: envVar('MUSTER_SITE_CACHE_ORIGIN', urlValue({ protocols: ['http', 'https'] })),
    siteId: envVar('MUSTER_SITE_ID', token),
    /** This cache's name on the bus; default the site id (one cache per site). */
    cacheId: envVar('MUSTER_SITE_CACHE_ID', token.optional()),
    /** The URL machines of the site reach this cache at, announced on the bus. */
    publicUrl: envVar('MUSTER_SITE_CACHE_PUBLIC_URL', urlValue({ protocols: ['http', 'https'] }).optional()),
    /** Chunks one prefetch asks the origin for at once, and how many such requests run together. */
    prefetchBatch: envVar('MUSTER_SITE_CACHE_PREFETCH_BATCH', intValue({ min: 1, max: 4096 }).default(512)),
    prefetchParallelism: envVar(
      'MUSTER_SITE_CACHE_PREFETCH_PARALLELISM',
      intValue({ min: 1, max: 16 }).default(2),
    ),
  };
}

export interface SiteCacheSettings {
  dir: string;
  maxBytes: number;
  origin: string;
  siteId: string;
  cacheId: string;
  publicUrl: string;
  prefetchBatch: number;
  prefetchParallelism: number;
  /** How often it announces itself (and at start). */
  announceEveryMs: number;
}

export const SITE_CACHE_SETTINGS = Symbol('SITE_CACHE_SETTINGS');

export function siteCacheSettings(
  config: {
    dir: string;
    maxBytes: number;
    origin: string;
    siteId: string;
    cacheId?: string | undefined;
    publicUrl?: string | undefined;
    prefetchBatch: number;
    prefetchParallelism: number;
  },
  httpPort: number,
): SiteCacheSettings {
  return {
    dir: config.dir,
    maxBytes: config.maxBytes,
    origin: config.origin.replace(/\/+$/, ''),
    siteId: config.siteId,
    cacheId: config.cacheId ?? config.siteId,
    publicUrl: (config.publicUrl ?? `http://${hostname()}:${httpPort}`).replace(/\/+$/, ''),
    prefetchBatch: config.prefetchBatch,
    prefetchParallelism: config.prefetchParallelism,
    announceEveryMs: 60_000,
  };
}
