import { execFile } from 'node:child_process';
import { copyFile, readFile, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { bootInQemu } from '@muster/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuildFailedError, buildImage, removeWorkArea, type BuildImageResult } from '../src/index.js';
import { BUILD_USER, buildInput, smallRecipe, tarDifference } from './build-fixtures.js';

const run = promisify(execFile);

// A port nothing listens on: apt through this proxy cannot reach any mirror.
const CLOSED_PROXY = 'http://127.0.0.1:9';

/** A minbase image with one package, a kernel and its initrd, as the issue asks. */
const recipe = smallRecipe({
  name: 'repro',
  packages: { install: ['zstd', 'systemd-sysv', 'udev'], remove: [] },
  kernel: { package: 'linux-image-cloud-amd64', cmdline: 'console=ttyS0,115200' },
  outputs: ['squashfs', 'netboot', 'disk', 'tarball'],
});

let firstWorkDir = '';

/** On a difference, prints which files differ (the root tarballs are in the work directories). */
async function explainDifference(a: BuildImageResult, b: BuildImageResult, bWorkDir: string) {
  const tar = (r: BuildImageResult) => r.outputs.find((o) => o.kind === 'tarball')?.sha256;
  if (tar(a) !== tar(b)) {
    console.error(
      `root trees differ:\n${await tarDifference(`${firstWorkDir}/root.tar`, `${bWorkDir}/root.tar`)}`,
    );
  }
}

const hashes = (r: BuildImageResult) => Object.fromEntries(r.outputs.map((o) => [o.fileName, o.sha256]));

describe('a small image with a kernel, built three ways', () => {
  const work: string[] = [];
  let first: BuildImageResult;

  beforeAll(async () => {
    const input = await buildInput(recipe);
    work.push(input.workDir);
    firstWorkDir = input.workDir;
    first = await buildImage(input);
  }, 600_000);

  afterAll(async () => {
    for (const dir of work) await removeWorkArea(dir, BUILD_USER);
  });

  it('has the package, the file, the script and the kernel inside, and an SBOM that lists the package', async () => {
    const squashfs = first.outputs.find((o) => o.kind === 'squashfs')!;
    const { stdout } = await run('unsquashfs', ['-lln', squashfs.path], { maxBuffer: 64 << 20 });
    expect(stdout).toMatch(/squashfs-root\/usr\/bin\/zstd\n/);
    expect(stdout).toMatch(/-rw-r----- 0\/0\s+20 \S+ \S+ squashfs-root\/etc\/muster-test\n/);
    expect(stdout).toMatch(/squashfs-root\/etc\/muster-marker\n/);
    expect(stdout).toMatch(/squashfs-root\/boot\/vmlinuz-\S+-cloud-amd64\n/);
    // The build's apt source is the recipe's, and no .deb is left in the image.
    expect(stdout).not.toMatch(/var\/cache\/apt\/archives\/\S+\.deb/);
    for (const kind of ['kernel', 'initrd'] as const) {
      const o = first.outputs.find((x) => x.kind === kind)!;
      expect((await stat(o.path)).size).toBeGreaterThan(1 << 20);
    }
    const components =
      (first.sbom.components as { name: string; version: string; hashes?: unknown[] }[]) ?? [];
    const zstd = components.find((c) => c.name === 'zstd');
    expect(zstd?.version).toMatch(/^1\.5/);
    expect(zstd?.hashes).toHaveLength(1);
    expect(first.installed.map((p) => p.name)).toContain('linux-image-cloud-amd64');
    // Every .deb installed is kept, and each file is the one its record names.
    expect(first.debs.length).toBe(first.provenance.packageSet.count);
    const zstdDeb = first.debs.find((d) => d.record.name === 'zstd')!;
    const { createHash } = await import('node:crypto');
    expect(
      createHash('sha256')
        .update(await readFile(zstdDeb.path))
        .digest('hex'),
    ).toBe(zstdDeb.record.sha256);
    expect(first.provenance.outputs.map((o) => o.kind).sort()).toEqual([
      'disk',
      'initrd',
      'kernel',
      'squashfs',
      'tarball',
    ]);
  });

  // The disk image boots from slot A to systemd, by UEFI and by BIOS, rootless all the way.
  it.each(['uefi', 'bios'] as const)(
    'has a disk image that boots in QEMU by %s',
    async (firmware) => {
      const disk = first.outputs.find((o) => o.kind === 'disk')!;
      const booted = await bootInQemu({
        disk: disk.path,
        firmware,
        until: /login:|Reached target/,
        timeoutMs: 240_000,
      });
      expect(booted.serial).toMatch(/rootfstype=squashfs/);
      expect(booted.matched).toBe(true);
    },
    300_000,
  );

  it('gives the same bytes for every output when built again', async () => {
    const input = await buildInput(recipe);
    work.push(input.workDir);
    const second = await buildImage(input);
    await explainDifference(first, second, input.workDir);
    expect(hashes(second)).toEqual(hashes(first));
    expect(second.provenance.packageSet.digest).toBe(first.provenance.packageSet.digest);
    expect(second.provenance.sbomSha256).toBe(first.provenance.sbomSha256);
  }, 600_000);

  it('gives the same bytes again from its kept packages with every mirror unreachable', async () => {
    // The proxy really cuts the mirror off: a mirror build through it fails, retryable.
    const cut = await buildInput(recipe, { aptProxy: CLOSED_PROXY });
    const refused = await buildImage(cut).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(BuildFailedError);
    expect((refused as BuildFailedError).retryable).toBe(true);

    const byHash = new Map(first.debs.map((d) => [d.record.sha256, d.path]));
    const input = await buildInput(recipe, {
      aptProxy: CLOSED_PROXY,
      packageSource: {
        kind: 'kept',
        fromBuild: '00000000-0000-4000-8000-000000000001',
        packages: first.debs.map((d) => d.record),
        fetchDeb: (record, dest) => copyFile(byHash.get(record.sha256)!, dest),
      },
    });
    work.push(input.workDir);
    const rebuilt = await buildImage(input);
    await explainDifference(first, rebuilt, input.workDir);
    expect(hashes(rebuilt)).toEqual(hashes(first));
    expect(rebuilt.provenance.packageSet).toMatchObject({
      source: 'kept',
      digest: first.provenance.packageSet.digest,
    });
  }, 600_000);
});
