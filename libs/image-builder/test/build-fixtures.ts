import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BundledRecipe } from '@muster/recipes';
import type { BuildImageInput } from '../src/index.js';

/** The build user the set-up script creates; builds run as it when the tests run as root. */
export const BUILD_USER =
  process.getuid?.() === 0 ? (process.env.MUSTER_BUILD_USER ?? 'muster-build') : undefined;

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

/** What differs between two root tarballs: listing lines and contents (for a failing test's message). */
export async function tarDifference(a: string, b: string): Promise<string> {
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const run = promisify(execFile);
  const describe = async (tar: string) => {
    const listing = (await run('tar', ['-tvf', tar, '--numeric-owner'], { maxBuffer: 256 << 20 })).stdout;
    const sums = (
      await run(
        'tar',
        ['-xf', tar, '--to-command=sh -c \'echo "$TAR_FILENAME $(sha256sum | cut -c1-16)"\''],
        {
          maxBuffer: 256 << 20,
        },
      )
    ).stdout;
    return new Set([...listing.split('\n'), ...sums.split('\n')]);
  };
  const [x, y] = await Promise.all([describe(a), describe(b)]);
  const onlyA = [...x].filter((l) => !y.has(l));
  const onlyB = [...y].filter((l) => !x.has(l));
  return [...onlyA.slice(0, 40).map((l) => `- ${l}`), ...onlyB.slice(0, 40).map((l) => `+ ${l}`)].join('\n');
}
