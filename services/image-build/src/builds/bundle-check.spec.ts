import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { RecipeBundle } from '@muster/recipes';
import { checkBundle, namedBlobs } from './bundle-check.js';
import { recipeDigestOf } from './recipe-digest.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const b64 = (text: string) => Buffer.from(text).toString('base64');

function bundle(): RecipeBundle {
  const layer = {
    name: 'base',
    version: '1',
    layers: [{ name: 'base', version: '1' }],
    suite: 'bookworm' as const,
    architecture: 'amd64' as const,
    mirror: 'http://deb.debian.org/debian',
    components: ['main' as const],
    variant: 'minbase' as const,
    packages: { install: [], remove: [] },
    files: [{ path: '/etc/a', mode: '0644', owner: 'root', blob: sha('a') }],
    overlays: [{ files: [{ path: 'etc/b', mode: '0644', blob: sha('b') }] }],
    users: [],
    services: { enable: [], disable: [] },
    scripts: [{ name: 'run-c', blob: sha('c') }],
    kernel: { package: 'linux-image-amd64', cmdline: '' },
    outputs: ['squashfs' as const],
  };
  return {
    format: 'muster.recipe-bundle.v1',
    recipe: {
      ...layer,
      name: 'top',
      files: [{ path: '/etc/inline', mode: '0644', owner: 'root', content: 'x' }],
      overlays: [],
      scripts: [{ name: 'run-d', blob: sha('d') }],
      base: layer,
    },
    blobs: { [sha('a')]: b64('a'), [sha('b')]: b64('b'), [sha('c')]: b64('c'), [sha('d')]: b64('d') },
  };
}

describe('checkBundle', () => {
  it('takes a bundle whose blobs are exactly those its recipe and its base name, and computes the digest', () => {
    const b = bundle();
    expect([...namedBlobs(b.recipe).values()]).toEqual([
      'bundle.recipe.scripts.0.blob',
      'bundle.recipe.base.files.0.blob',
      'bundle.recipe.base.overlays.0.files.0.blob',
      'bundle.recipe.base.scripts.0.blob',
    ]);
    const checked = checkBundle(b);
    expect(Array.isArray(checked)).toBe(false);
    if (Array.isArray(checked)) return;
    expect(checked.recipeDigest).toBe(recipeDigestOf(b.recipe));
    expect([...checked.blobs.keys()].sort()).toEqual([sha('a'), sha('b'), sha('c'), sha('d')].sort());
    expect(checked.blobs.get(sha('b'))?.toString()).toBe('b');
  });

  it('names each problem: a missing blob, a stray one, bytes that do not match, a file with neither text nor blob', () => {
    const b = bundle();
    delete b.blobs[sha('c')];
    b.blobs[sha('a')] = b64('not a');
    b.blobs[sha('stray')] = b64('stray');
    b.recipe.files.push({ path: '/etc/empty', mode: '0644', owner: 'root' });
    expect(checkBundle(b)).toEqual([
      { name: 'bundle.recipe.files.1', reason: 'needs exactly one of content and blob' },
      { name: 'bundle.recipe.base.scripts.0.blob', reason: `blob ${sha('c')} is not in bundle.blobs` },
      { name: `bundle.blobs.${sha('a')}`, reason: `its bytes hash to ${sha('not a')}, not to its name` },
      { name: `bundle.blobs.${sha('stray')}`, reason: 'is not named by the recipe' },
    ]);
  });
});
