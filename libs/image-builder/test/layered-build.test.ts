import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { buildImage, removeWorkArea, type BuildImageInput } from '../src/index.js';
import { BUILD_USER, buildInput, smallRecipe } from './build-fixtures.js';

const run = promisify(execFile);

const base = smallRecipe({
  name: 'base-os',
  packages: { install: ['zstd'], remove: [] },
  scripts: [],
  outputs: ['squashfs'],
});
const { base: _none, ...baseLayer } = base;

/** base-os plus one layer: one more package, a file, a script. */
function layered(extra: string[]) {
  return smallRecipe({
    name: 'till',
    layers: [
      { name: 'base-os', version: '1.0' },
      { name: 'till', version: '1.0' },
    ],
    packages: { install: ['zstd', ...extra], remove: [] },
    files: [...base.files, { path: '/etc/till', mode: '0644', owner: 'root', content: 'till\n' }],
    scripts: [{ name: 'till-marker', run: 'echo till > /etc/till-marker' }],
    outputs: ['squashfs'],
    base: baseLayer,
  });
}

describe('extends: a layer on a base layer', () => {
  const dirs: string[] = [];
  let cacheDir: string;
  const input = async (recipe: ReturnType<typeof layered>, over: Partial<BuildImageInput> = {}) => {
    const i = await buildInput(recipe, { ...(cacheDir ? { cacheDir } : {}), ...over });
    cacheDir ??= i.cacheDir;
    dirs.push(i.workDir);
    return i;
  };
  afterAll(async () => {
    for (const d of dirs) await removeWorkArea(d, BUILD_USER);
  });

  it('builds the base once, then reuses it for another layer on it', async () => {
    const first = await buildImage(await input(layered(['less'])));
    expect(first.provenance.baseLayer).toMatchObject({ cache: 'miss' });

    const second = await buildImage(await input(layered(['less', 'xz-utils'])));
    expect(second.provenance.baseLayer).toEqual(
      first.provenance.baseLayer && { ...first.provenance.baseLayer, cache: 'hit' },
    );
    const { stdout } = await run('unsquashfs', ['-lln', second.outputs[0]!.path], { maxBuffer: 64 << 20 });
    for (const path of [
      'usr/bin/zstd',
      'usr/bin/less',
      'usr/bin/xz',
      'etc/till',
      'etc/till-marker',
      'etc/muster-test',
    ]) {
      expect(stdout).toContain(`squashfs-root/${path}\n`);
    }
    // Every package is kept, the base's included, though the base came from the cache.
    const kept = new Set(second.debs.map((d) => d.record.name));
    for (const name of ['zstd', 'less', 'xz-utils', 'libc6', 'apt']) expect(kept).toContain(name);
    expect(second.debs.length).toBe(second.installed.length);
  }, 900_000);
});
