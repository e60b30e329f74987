import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleDigest } from './bundle-digest.js';
import { MAX_BUNDLE_BYTES, RecipeBundleError } from './bundle-recipe.js';
import { loadRecipe } from './load-recipe.js';
import { verifyBundle } from './verify-bundle.js';

/** A directory holding `files` (name → text, or [text, mode]). */
async function dir(files: Record<string, string | [string, number]>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'muster-bundle-'));
  for (const [name, value] of Object.entries(files)) {
    const [text, mode] = typeof value === 'string' ? [value, 0o644] : value;
    await mkdir(join(root, name, '..'), { recursive: true });
    await writeFile(join(root, name), text);
    await chmod(join(root, name), mode);
  }
  return root;
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

const RECIPE = `name: till
version: "2"
suite: bookworm
architecture: amd64
files:
  - path: /etc/motd
    source: files/motd
    mode: "644"
  - path: /etc/issue
    content: "Till\\n"
    mode: "600"
overlays: [overlay]
scripts:
  - name: brand
    source: scripts/brand.sh
  - name: locale
    run: echo LANG=C.UTF-8 > /etc/default/locale
`;

const FILES: Record<string, string | [string, number]> = {
  'till.yaml': RECIPE,
  'files/motd': 'welcome\n',
  'overlay/usr/local/bin/till': ['#!/bin/sh\n', 0o755],
  'overlay/etc/till.conf': ['secret=no\n', 0o600],
  'overlay/etc/a/b.conf': 'welcome\n',
  'scripts/brand.sh': 'echo brand\n',
};

describe('bundleRecipe', () => {
  it('carries every file by SHA-256, overlays as sorted relative paths with octal modes, no path of this machine', async () => {
    const root = await dir(FILES);
    const { bundle, digest } = await loadRecipe(join(root, 'till.yaml'));
    expect(bundle.recipe.files).toEqual([
      { path: '/etc/motd', mode: '0644', owner: 'root', blob: sha('welcome\n') },
      // Text written in the recipe travels as a blob too: the HTTP edge refuses control characters.
      { path: '/etc/issue', mode: '0600', owner: 'root', blob: sha('Till\n') },
    ]);
    expect(bundle.recipe.overlays).toEqual([
      {
        files: [
          { path: 'etc/a/b.conf', mode: '0644', blob: sha('welcome\n') },
          { path: 'etc/till.conf', mode: '0600', blob: sha('secret=no\n') },
          { path: 'usr/local/bin/till', mode: '0755', blob: sha('#!/bin/sh\n') },
        ],
      },
    ]);
    expect(bundle.recipe.scripts).toEqual([
      { name: 'brand', blob: sha('echo brand\n') },
      { name: 'locale', blob: sha('echo LANG=C.UTF-8 > /etc/default/locale') },
    ]);
    // The same bytes twice are one blob.
    expect(Object.keys(bundle.blobs).sort()).toEqual(
      [
        sha('welcome\n'),
        sha('Till\n'),
        sha('secret=no\n'),
        sha('#!/bin/sh\n'),
        sha('echo brand\n'),
        sha('echo LANG=C.UTF-8 > /etc/default/locale'),
      ].sort(),
    );
    expect(Buffer.from(bundle.blobs[sha('echo brand\n')]!, 'base64').toString()).toBe('echo brand\n');
    expect(JSON.stringify(bundle)).not.toContain(root);
    // What the server computes from the bundle it receives is what this machine computed.
    expect(verifyBundle(JSON.parse(JSON.stringify(bundle)))).toEqual({ bundle, digest });
    expect(digest).toBe(bundleDigest(bundle.recipe));
  });

  it('gives the same digest in another directory; another when a source file, an overlay file, its mode or a script changes', async () => {
    const digestOf = async (files: Record<string, string | [string, number]>) =>
      (await loadRecipe(join(await dir(files), 'till.yaml'))).digest;
    const first = await digestOf(FILES);
    expect(await digestOf(FILES)).toBe(first);
    const changed = await Promise.all([
      digestOf({ ...FILES, 'files/motd': 'hello\n' }),
      digestOf({ ...FILES, 'overlay/etc/till.conf': ['secret=yes\n', 0o600] }),
      digestOf({ ...FILES, 'overlay/etc/till.conf': ['secret=no\n', 0o640] }),
      digestOf({ ...FILES, 'overlay/etc/new.conf': 'new\n' }),
      digestOf({ ...FILES, 'scripts/brand.sh': 'echo other\n' }),
    ]);
    for (const d of changed) expect(d).not.toBe(first);
    expect(new Set(changed).size).toBe(changed.length);
  });

  it('spells a mode one way: "644" and "0644" give the same digest', async () => {
    const a = await loadRecipe(join(await dir(FILES), 'till.yaml'));
    const b = await loadRecipe(
      join(await dir({ ...FILES, 'till.yaml': RECIPE.replace('mode: "644"', 'mode: "0644"') }), 'till.yaml'),
    );
    expect(b.digest).toBe(a.digest);
  });

  it('refuses a symbolic link and an empty directory in an overlay rather than leave them out', async () => {
    const linked = await dir(FILES);
    await symlink('/lib/systemd/system/till.service', join(linked, 'overlay/etc/till.service'));
    await expect(loadRecipe(join(linked, 'till.yaml'))).rejects.toThrow(
      new RecipeBundleError(
        `overlay ${join(linked, 'overlay')}: etc/till.service is a symbolic link; a bundle carries regular files only (enable units with services.enable, make links in a script)`,
      ),
    );
    const empty = await dir(FILES);
    await mkdir(join(empty, 'overlay/var/lib/till'), { recursive: true });
    await expect(loadRecipe(join(empty, 'till.yaml'))).rejects.toThrow(
      /^overlay .*: var\/lib\/till\/ is an empty directory; a bundle carries files, not directories/,
    );
  });

  it(`refuses a bundle over ${MAX_BUNDLE_BYTES / 1024 / 1024} MiB, naming its largest file`, async () => {
    const root = await dir(FILES);
    const big = join(root, 'overlay/opt/big.bin');
    await mkdir(join(big, '..'), { recursive: true });
    await writeFile(big, '');
    // A sparse file: 24 MiB of zeros is 32 MiB as base64, with the rest of the bundle over the limit.
    await truncate(big, 24 * 1024 * 1024);
    const refused = loadRecipe(join(root, 'till.yaml'));
    await expect(refused).rejects.toThrow(RecipeBundleError);
    await expect(refused).rejects.toThrow(
      new RegExp(
        `^the recipe bundle would be 32\\.0 MiB or more, over the 32\\.0 MiB limit; its largest files: ${big} \\(24\\.0 MiB\\)`,
      ),
    );
    await truncate(big, 23 * 1024 * 1024);
    const { bundle } = await loadRecipe(join(root, 'till.yaml'));
    expect(Buffer.byteLength(JSON.stringify(bundle))).toBeLessThanOrEqual(MAX_BUNDLE_BYTES);
    // The limit is on the whole bundle: blobs under it, with inline content over it, are refused too.
    await truncate(big, ((MAX_BUNDLE_BYTES - 512 * 1024) / 4) * 3);
    await writeFile(
      join(root, 'till.yaml'),
      `${RECIPE}  - name: filler\n    run: "${'x'.repeat(600 * 1024)}"\n`,
    );
    await expect(loadRecipe(join(root, 'till.yaml'))).rejects.toThrow(
      /^the recipe bundle would be 32\.\d MiB or more, over the 32\.0 MiB limit/,
    );
  });
});
