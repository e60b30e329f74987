import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bundleDigest, type RecipeBundle } from '@muster/recipes';
import { bodyField, checkBundle, recipeBlobs } from './bundle-check.js';

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
  it('takes a bundle whose blobs are those its recipe and its base name, with the digest of bundleDigest', () => {
    const b = bundle();
    const checked = checkBundle(b);
    if (Array.isArray(checked)) throw new Error(JSON.stringify(checked));
    expect(checked.recipeDigest).toBe(bundleDigest(b.recipe));
    expect(checked.blobs.get(sha('b'))?.toString()).toBe('b');
    expect(recipeBlobs(b.recipe).sort()).toEqual([sha('a'), sha('b'), sha('c'), sha('d')].sort());
  });

  it('names each problem as a field of the body', () => {
    const b = bundle();
    delete b.blobs[sha('c')];
    b.blobs[sha('a')] = b64('not a');
    expect(checkBundle(b)).toEqual([
      { name: 'bundle.recipe.base.scripts.0.blob', reason: `blob ${sha('c')} is not in the bundle` },
      { name: `bundle.blobs.${sha('a')}`, reason: `its bytes hash to ${sha('not a')}` },
    ]);
    expect(bodyField('recipe.overlays[2].files[10].blob')).toBe('bundle.recipe.overlays.2.files.10.blob');
  });
});
