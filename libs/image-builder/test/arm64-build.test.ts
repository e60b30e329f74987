import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { buildImage, removeWorkArea } from '../src/index.js';
import { BUILD_USER, buildInput, smallRecipe } from './build-fixtures.js';

const run = promisify(execFile);
const runBuffer = promisify(execFile);
const EM_AARCH64 = 183;

describe('an arm64 image built on amd64', () => {
  let workDir = '';
  afterAll(async () => {
    if (workDir) await removeWorkArea(workDir, BUILD_USER);
  });

  it('runs the arm64 root through qemu-user and binfmt_misc (scripts/setup-image-build.sh registers it)', async () => {
    const input = await buildInput(
      smallRecipe({
        name: 'arm',
        architecture: 'arm64',
        packages: { install: [], remove: [] },
        outputs: ['squashfs'],
      }),
    );
    workDir = input.workDir;
    const built = await buildImage(input);
    expect(built.installed.find((p) => p.name === 'libc6')?.architecture).toBe('arm64');
    expect(built.provenance.architecture).toBe('arm64');
    // The recipe's script ran inside the arm64 root, and its binaries are aarch64 ELF files.
    const squashfs = built.outputs[0]!.path;
    const { stdout: list } = await run('unsquashfs', ['-lln', squashfs], { maxBuffer: 64 << 20 });
    expect(list).toContain('squashfs-root/etc/muster-marker\n');
    const elf = (await runBuffer('unsquashfs', ['-cat', squashfs, 'usr/bin/true'], { encoding: 'buffer' }))
      .stdout;
    expect(elf.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    expect(elf.readUInt16LE(18)).toBe(EM_AARCH64);
  }, 900_000);
});
