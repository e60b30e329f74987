// The bench images: a real Debian root built with @muster/image-builder (mmdebstrap
// --mode=unshare as the build user, mksquashfs with Muster's options), reproducibly (fixed
// SOURCE_DATE_EPOCH), cached under the bench work dir by a digest of the recipe.
import { createHash } from 'node:crypto';
import { chmod, copyFile, mkdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildImage, removeWorkArea } from '@muster/image-builder';
import type { BundledRecipe } from '@muster/recipes';

/** Where the benches keep their images between runs (`MUSTER_BENCH_DIR` moves it). */
export const BENCH_DIR = process.env.MUSTER_BENCH_DIR ?? join(tmpdir(), 'muster-bench');
const BUILD_USER = process.getuid?.() === 0 ? (process.env.MUSTER_BUILD_USER ?? 'muster-build') : undefined;
const SOURCE_DATE_EPOCH = 1_700_000_000;

/** v1: minbase with a kernel, systemd and a few tools; v2: the same plus a few packages. */
export const V1_PACKAGES = (
  process.env.BENCH_V1_PACKAGES ?? 'linux-image-cloud-amd64,systemd,systemd-sysv,zstd,less,iproute2'
).split(',');
export const V2_EXTRA = (process.env.BENCH_V2_EXTRA ?? 'curl,jq').split(',');

function recipe(name: string, packages: string[]): BundledRecipe {
  return {
    name,
    version: '1',
    layers: [{ name, version: '1' }],
    suite: 'bookworm',
    architecture: 'amd64',
    mirror: 'http://deb.debian.org/debian',
    components: ['main'],
    variant: 'minbase',
    packages: { install: packages, remove: [] },
    files: [],
    overlays: [],
    users: [],
    hostname: 'bench',
    services: { enable: [], disable: [] },
    scripts: [],
    kernel: { package: 'linux-image-cloud-amd64', cmdline: '' },
    outputs: ['squashfs'],
  };
}

const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );

function imagePath(name: string, packages: string[]): { r: BundledRecipe; key: string; out: string } {
  const r = recipe(name, packages);
  const key = createHash('sha256').update(JSON.stringify(r)).digest('hex').slice(0, 16);
  return { r, key, out: join(BENCH_DIR, 'images', `${name}-${key}.squashfs`) };
}

/** v2 of the pair when an earlier run built it; never builds. */
export async function cachedV2(): Promise<string | undefined> {
  const { out } = imagePath('bench-v2', [...V1_PACKAGES, ...V2_EXTRA]);
  return (await exists(out)) ? out : undefined;
}

/** Builds (or finds cached) the squashfs of minbase + `packages`; returns its path. */
export async function benchImage(name: string, packages: string[], log = console.log): Promise<string> {
  const { r, key, out } = imagePath(name, packages);
  if (await exists(out)) return out;
  await mkdir(join(BENCH_DIR, 'images'), { recursive: true });
  await chmod(BENCH_DIR, 0o755);
  const workDir = join(BENCH_DIR, `work-${name}-${key}`);
  await rm(workDir, { recursive: true, force: true });
  log(`building ${name} (minbase + ${packages.join(' ')}) — cached afterwards in ${out}`);
  const t0 = performance.now();
  const result = await buildImage({
    buildId: '00000000-0000-4000-8000-00000000be4c',
    recipe: r,
    blob: (sha) => {
      throw new Error(`no blob ${sha}`);
    },
    recipeDigest: key.padEnd(64, '0'),
    workDir,
    cacheDir: join(BENCH_DIR, 'build-cache'),
    packageSource: { kind: 'mirror' },
    sourceDateEpoch: SOURCE_DATE_EPOCH,
    ...(BUILD_USER ? { buildUser: BUILD_USER } : {}),
    signal: new AbortController().signal,
    onLog: () => {},
    onPhase: (phase, percent) => log(`  ${name}: ${phase} ${percent}%`),
  });
  const squashfs = result.outputs.find((o) => o.kind === 'squashfs');
  if (!squashfs) throw new Error(`${name}: the build made no squashfs`);
  await copyFile(squashfs.path, `${out}.part`);
  await import('node:fs/promises').then((fs) => fs.rename(`${out}.part`, out));
  await removeWorkArea(workDir, BUILD_USER);
  log(`built ${name} in ${((performance.now() - t0) / 1000).toFixed(0)} s: ${squashfs.sizeBytes} bytes`);
  return out;
}

/** The v1/v2 pair of the delta bench (v2 = v1 + `V2_EXTRA`). */
export async function benchImagePair(log = console.log): Promise<{ v1: string; v2: string }> {
  const v1 = await benchImage('bench-v1', V1_PACKAGES, log);
  const v2 = await benchImage('bench-v2', [...V1_PACKAGES, ...V2_EXTRA], log);
  return { v1, v2 };
}
