import { createHash } from 'node:crypto';
import { copyFile, cp, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PackageRecord } from './build-image.types.js';

export interface CachedLayer {
  key: string;
  tarball: string;
  packages: PackageRecord[];
  /** The base's .deb files, kept with it so a build on a cached base still keeps every package. */
  debs: string;
}

/** Base layers are rebuilt after this long, so security updates reach images built on them. */
export const DEFAULT_LAYER_MAX_AGE_MS = 7 * 24 * 3600 * 1000;

/** SHA-256 of everything that decides a base layer's bytes. */
export function layerKey(parts: Record<string, unknown>): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/**
 * Base root filesystems by the hash of their inputs, on the worker's disk: `<dir>/<key>/`
 * holds `base.tar` and `packages.json`. Entries appear whole (written aside, then renamed).
 */
export class LayerCache {
  constructor(
    private readonly dir: string,
    private readonly maxAgeMs = DEFAULT_LAYER_MAX_AGE_MS,
  ) {}

  async get(key: string): Promise<CachedLayer | undefined> {
    const at = join(this.dir, key);
    const tarball = join(at, 'base.tar');
    const found = await stat(tarball).catch(() => undefined);
    if (!found) return undefined;
    if (Date.now() - found.mtimeMs > this.maxAgeMs) {
      await rm(at, { recursive: true, force: true });
      return undefined;
    }
    const packages = JSON.parse(await readFile(join(at, 'packages.json'), 'utf8')) as PackageRecord[];
    return { key, tarball, packages, debs: join(at, 'debs') };
  }

  async put(key: string, tarball: string, packages: PackageRecord[], debs: string): Promise<CachedLayer> {
    await mkdir(this.dir, { recursive: true });
    const temp = join(this.dir, `.${key}.${process.pid}.${Date.now()}`);
    await mkdir(temp);
    await copyFile(tarball, join(temp, 'base.tar'));
    await writeFile(join(temp, 'packages.json'), JSON.stringify(packages));
    await cp(debs, join(temp, 'debs'), { recursive: true });
    try {
      await rm(join(this.dir, key), { recursive: true, force: true });
      await rename(temp, join(this.dir, key));
    } catch {
      await rm(temp, { recursive: true, force: true });
    }
    const entry = await this.get(key);
    if (!entry) throw new Error(`the layer cache in ${this.dir} did not keep ${key}`);
    return entry;
  }
}
