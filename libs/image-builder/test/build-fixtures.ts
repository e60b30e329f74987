import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BundledRecipe } from '@muster/recipes';
import type { BuildImageInput } from '../src/index.js';

/** The build user the set-up script creates; builds run as it when the tests run as root. */
export const BUILD_USER = process.getuid?.() === 0 ? (process.env.MUSTER_BUILD_USER ?? 'muster-build') : undefined;

export function smallRecipe(over: Partial<BundledRecipe> = {}): BundledRecipe {
  return {
    name: 'small',
    version: '1.0',
    layers: [{ name: 'small', version: '1.0' }],
    suite: 'bookworm',
    architecture: 'amd64',
    mirror: 'http://deb.debian.org/debian',
    components: ['main'],
    variant: 'minbase',
    packages: { install: ['zstd'], remove: [] },
    files: [{ path: '/etc/muster-test', mode: '0640', owner: 'root', content: 'hello from a recipe\n' }],
    overlays: [],
    users: [],
    hostname: 'small',
    services: { enable: [], disable: [] },
    scripts: [{ name: 'marker', run: 'echo built > /etc/muster-marker' }],
    kernel: { package: 'linux-image-cloud-amd64', cmdline: '' },
    outputs: ['squashfs', 'tarball'],
    ...over,
  };
}

export async function buildInput(
  recipe: BundledRecipe,
  over: Partial<BuildImageInput> = {},
): Promise<BuildImageInput & { lines: string[] }> {
  const root = await mkdtemp(join(tmpdir(), 'muster-build-test-'));
  const { chmod } = await import('node:fs/promises');
  await chmod(root, 0o755);
  const lines: string[] = [];
  return {
    buildId: '00000000-0000-4000-8000-000000000001',
    recipe,
    blob: (sha) => {
      throw new Error(`no blob ${sha}`);
    },
    recipeDigest: 'a'.repeat(64),
    workDir: join(root, 'work'),
    cacheDir: join(root, 'cache'),
    packageSource: { kind: 'mirror' },
    sourceDateEpoch: 1_700_000_000,
    ...(BUILD_USER ? { buildUser: BUILD_USER } : {}),
    signal: new AbortController().signal,
    onLog: (l) => lines.push(l),
    onPhase: () => {},
    lines,
    ...over,
  };
}
