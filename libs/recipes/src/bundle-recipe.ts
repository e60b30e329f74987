import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import {
  RECIPE_BUNDLE_FORMAT,
  type BundledLayer,
  type BundledRecipe,
  type RecipeBundle,
} from './recipe-bundle.schema.js';
import type { ResolvedRecipe } from './resolved-recipe.js';

/** The most a bundle may weigh as JSON (what `POST /v1/builds` carries). */
export const MAX_BUNDLE_BYTES = 32 * 1024 * 1024;

/** A recipe whose files cannot travel as a bundle: too large, or a file a bundle cannot carry. */
export class RecipeBundleError extends Error {
  override readonly name = 'RecipeBundleError';
}

/**
 * The bundle of a resolved recipe: every file, overlay and script it names read from disk and
 * carried by SHA-256, with no path of this machine left in the recipe. An overlay becomes the
 * sorted list of its regular files (path relative to the overlay, mode in four octal digits);
 * a symbolic link, an empty directory or a special file in an overlay is refused rather than
 * left out. A bundle over MAX_BUNDLE_BYTES is refused, naming its largest files.
 */
export async function bundleRecipe(resolved: ResolvedRecipe, base?: ResolvedRecipe): Promise<RecipeBundle> {
  const blobs = new BlobSet();
  const recipe: BundledRecipe = {
    ...(await bundleLayer(resolved, blobs)),
    ...(base ? { base: await bundleLayer(base, blobs) } : {}),
  };
  const bundle: RecipeBundle = { format: RECIPE_BUNDLE_FORMAT, recipe, blobs: blobs.encoded() };
  const size = Buffer.byteLength(JSON.stringify(bundle));
  if (size > MAX_BUNDLE_BYTES) throw blobs.tooLarge(size);
  return bundle;
}

/** One layer's recipe with its files carried in `blobs`. */
async function bundleLayer(resolved: ResolvedRecipe, blobs: BlobSet): Promise<BundledLayer> {
  const files: BundledRecipe['files'] = [];
  for (const f of resolved.files) {
    const common = { path: f.path, mode: canonicalMode(f.mode), owner: f.owner };
    files.push(
      f.source === undefined
        ? { ...common, blob: blobs.addText(f.content ?? '', `content of ${f.path}`) }
        : { ...common, blob: await blobs.add(f.source) },
    );
  }
  const overlays: BundledRecipe['overlays'] = [];
  for (const dir of resolved.overlays) {
    const entries = await overlayFiles(dir);
    const list: BundledRecipe['overlays'][number]['files'] = [];
    for (const e of entries)
      list.push({ path: e.path, mode: e.mode, blob: await blobs.add(join(dir, e.path)) });
    overlays.push({ files: list });
  }
  const scripts: BundledRecipe['scripts'] = [];
  for (const s of resolved.scripts) {
    scripts.push(
      s.source === undefined
        ? { name: s.name, blob: blobs.addText(s.run ?? '', `script ${s.name}`) }
        : { name: s.name, blob: await blobs.add(s.source) },
    );
  }
  return {
    name: resolved.name,
    version: resolved.version,
    layers: resolved.layers.map(({ name, version }) => ({ name, version })),
    suite: resolved.suite,
    architecture: resolved.architecture,
    mirror: resolved.mirror,
    components: [...resolved.components],
    variant: resolved.variant,
    packages: { install: [...resolved.packages.install], remove: [...resolved.packages.remove] },
    files,
    overlays,
    users: resolved.users.map((u) => ({
      name: u.name,
      groups: [...u.groups],
      shell: u.shell,
      sshAuthorizedKeys: [...u.sshAuthorizedKeys],
    })),
    ...(resolved.hostname === undefined ? {} : { hostname: resolved.hostname }),
    services: { enable: [...resolved.services.enable], disable: [...resolved.services.disable] },
    scripts,
    kernel: { ...resolved.kernel },
    outputs: [...resolved.outputs],
    ...(resolved.packageSet === undefined ? {} : { packageSet: resolved.packageSet }),
  };
}

/** `644` → `0644`: one spelling per mode, so the digest does not depend on how it was written. */
function canonicalMode(mode: string): string {
  return Number.parseInt(mode, 8).toString(8).padStart(4, '0');
}

/** Base64 length of n bytes. */
const encodedLength = (n: number) => Math.ceil(n / 3) * 4;

/** The blobs of a bundle, read once each, with the files they came from (for a clear refusal). */
class BlobSet {
  private readonly blobs = new Map<string, { bytes: Buffer; from: string }>();
  private encodedBytes = 0;

  /** Text written in the recipe itself (a file's content, a script): carried as a blob too. */
  addText(text: string, from: string): string {
    const bytes = Buffer.from(text);
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (!this.blobs.has(sha)) {
      this.blobs.set(sha, { bytes, from });
      this.encodedBytes += encodedLength(bytes.length);
    }
    return sha;
  }

  async add(path: string): Promise<string> {
    // Refused before reading when the file alone is already too much (a disk image by mistake).
    const { size } = await stat(path);
    if (this.encodedBytes + encodedLength(size) > MAX_BUNDLE_BYTES) {
      throw this.tooLarge(this.encodedBytes + encodedLength(size), { from: path, size });
    }
    const bytes = await readFile(path);
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (!this.blobs.has(sha)) {
      this.blobs.set(sha, { bytes, from: path });
      this.encodedBytes += encodedLength(bytes.length);
    }
    return sha;
  }

  encoded(): Record<string, string> {
    return Object.fromEntries(
      [...this.blobs.entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([sha, { bytes }]) => [sha, bytes.toString('base64')]),
    );
  }

  tooLarge(bytes: number, extra?: { from: string; size: number }): RecipeBundleError {
    const files = [...this.blobs.values()].map((b) => ({ from: b.from, size: b.bytes.length }));
    if (extra) files.push(extra);
    const largest = files
      .sort((a, b) => b.size - a.size)
      .slice(0, 3)
      .map((f) => `${f.from} (${mebibytes(f.size)})`);
    return new RecipeBundleError(
      `the recipe bundle would be ${mebibytes(bytes)} or more, over the ${mebibytes(MAX_BUNDLE_BYTES)} limit; ` +
        `its largest files: ${largest.join(', ')}. Put large content in a package instead.`,
    );
  }
}

const mebibytes = (n: number) => `${(n / (1024 * 1024)).toFixed(1)} MiB`;

/** The regular files under an overlay, sorted by relative path, with their modes. */
async function overlayFiles(root: string): Promise<{ path: string; mode: string }[]> {
  const out: { path: string; mode: string }[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    if (entries.length === 0 && dir !== root) {
      throw new RecipeBundleError(
        `overlay ${root}: ${relative(root, dir)}/ is an empty directory; a bundle carries files, not directories (add a file, or create it in a script)`,
      );
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) {
        const { mode } = await lstat(path);
        out.push({ path: relative(root, path), mode: (mode & 0o7777).toString(8).padStart(4, '0') });
      } else {
        const what = entry.isSymbolicLink() ? 'a symbolic link' : 'not a regular file';
        throw new RecipeBundleError(
          `overlay ${root}: ${relative(root, path)} is ${what}; a bundle carries regular files only (enable units with services.enable, make links in a script)`,
        );
      }
    }
  };
  await walk(root);
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
