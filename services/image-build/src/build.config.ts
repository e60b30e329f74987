import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { booleanValue, envVar, intValue } from '@muster/config';
import { z } from 'zod';

const GiB = 1024 ** 3;
const absolutePath = z.string().trim().regex(/^\//, { error: 'must be an absolute path' });

/** image-build's own settings, beside the common ones (Redis, S3). */
export function buildConfig() {
  return {
    /** `off` (or `false`) on instances that only serve the API; builds then run on the others. */
    worker: envVar('MUSTER_BUILD_WORKER', booleanValue().default(true)),
    /** Builds one instance runs at once. */
    concurrency: envVar('MUSTER_BUILD_CONCURRENCY', intValue({ min: 1, max: 64 }).default(1)),
    /** A build starts only while the work directory's file system has this much free; else it is retried. */
    minFreeBytes: envVar('MUSTER_BUILD_MIN_FREE_BYTES', intValue({ min: 0 }).default(4 * GiB)),
    /** Where builds run, one directory each; it belongs to this instance (leftovers are removed at start). */
    workDir: envVar('MUSTER_BUILD_WORK_DIR', absolutePath.optional()),
    /** Kept across builds: base layers and downloaded packages. */
    cacheDir: envVar('MUSTER_BUILD_CACHE_DIR', absolutePath.optional()),
    /** The unprivileged user the build tools run as; `muster-build` by default when running as root. */
    user: envVar(
      'MUSTER_BUILD_USER',
      z
        .string()
        .trim()
        .regex(/^[a-z_][a-z0-9_-]{0,31}$/, { error: 'must be a user name' })
        .optional(),
    ),
    /**
     * Every timestamp in every output (seconds since 1970). Unset: a fixed date, the same for
     * every build (BUILD_EPOCH_DEFAULT), so the same recipe gives the same bytes.
     */
    sourceDateEpoch: envVar(
      'MUSTER_SOURCE_DATE_EPOCH',
      intValue({ min: 315_532_800, max: 4_102_444_800 }).optional(),
    ),
    /**
     * A worker renews the lock on each build it runs every few seconds; one that dies is noticed
     * once the lock has lapsed (this long, plus up to as long again), and its build is tried again.
     */
    lockSeconds: envVar('MUSTER_BUILD_LOCK_SECONDS', intValue({ min: 2, max: 600 }).default(30)),
  };
}

/**
 * 2024-01-01T00:00:00Z: the timestamps of every output unless MUSTER_SOURCE_DATE_EPOCH says
 * otherwise. A constant rather than the build's time, so that building a recipe again gives
 * the same bytes; after 1980, which FAT (the EFI partition) needs.
 */
export const BUILD_EPOCH_DEFAULT = 1_704_067_200;

export interface BuildSettings {
  worker: boolean;
  concurrency: number;
  minFreeBytes: number;
  workDir: string;
  cacheDir: string;
  user: string | undefined;
  sourceDateEpoch: number;
  lockSeconds: number;
}

export const BUILD_SETTINGS = Symbol('BUILD_SETTINGS');

/** The settings with their defaults, some of which depend on the machine (its temp dir, root or not). */
export function buildSettings(config: {
  worker: boolean;
  concurrency: number;
  minFreeBytes: number;
  workDir?: string | undefined;
  cacheDir?: string | undefined;
  user?: string | undefined;
  sourceDateEpoch?: number | undefined;
  lockSeconds: number;
}): BuildSettings {
  return {
    worker: config.worker,
    concurrency: config.concurrency,
    minFreeBytes: config.minFreeBytes,
    workDir: config.workDir ?? join(tmpdir(), 'muster-builds'),
    cacheDir: config.cacheDir ?? join(tmpdir(), 'muster-build-cache'),
    user: config.user ?? (process.getuid?.() === 0 ? 'muster-build' : undefined),
    sourceDateEpoch: config.sourceDateEpoch ?? BUILD_EPOCH_DEFAULT,
    lockSeconds: config.lockSeconds,
  };
}
