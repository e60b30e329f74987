import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { DiskImageInput } from '../src/disk/index.js';

const PACKAGE_OF: Record<string, string> = {
  mksquashfs: 'squashfs-tools',
  sfdisk: 'fdisk',
  mdir: 'mtools',
  mcopy: 'mtools',
  mtype: 'mtools',
  minfo: 'mtools',
  dumpe2fs: 'e2fsprogs',
  'grub-editenv': 'grub-common',
};
const SBIN_PATH = `${process.env['PATH'] ?? ''}:/usr/local/sbin:/usr/sbin:/sbin`;

/** Runs a host tool (no shell); a missing one fails with the command that installs it. */
export function tool(name: string, args: readonly string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(
      name,
      args,
      {
        encoding: 'buffer',
        maxBuffer: 64 * 1024 * 1024,
        env: { PATH: SBIN_PATH, LC_ALL: 'C', TZ: 'UTC', MTOOLS_SKIP_CHECK: '1' },
      },
      (err, stdout, stderr) => {
        if ((err as NodeJS.ErrnoException | null)?.code === 'ENOENT') {
          const pkg = PACKAGE_OF[name] ?? name;
          reject(
            new Error(
              `${name} is not installed. Fix — run: sudo apt-get install -y --no-install-recommends ${pkg}`,
            ),
          );
        } else if (err) reject(new Error(`${name} ${args.join(' ')}: ${err.message}\n${stderr.toString()}`));
        else resolve(stdout);
      },
    );
  });
}

/** A host file the tests need; missing, it fails with the install command. */
export function hostFile(path: string, debianPackage: string): string {
  if (!existsSync(path)) {
    throw new Error(
      `${path} is missing. Fix — run: sudo apt-get install -y --no-install-recommends ${debianPackage}`,
    );
  }
  return path;
}

export const HOST_SYSTEMD_BOOT = '/usr/lib/systemd/boot/efi/systemd-bootx64.efi';
export const HOST_GRUB_I386_PC = '/usr/lib/grub/i386-pc';
export const SEED = '5eed'.repeat(16);
export const EPOCH = 1_700_000_000;
export const SMALL = { espMiB: 64, slotMiB: 8, dataMiB: 16 };

/** Small stand-ins: a real squashfs of a tiny tree, random bytes for the kernel and initrd. */
export async function syntheticInputs(): Promise<{ dir: string; input: DiskImageInput }> {
  const dir = await mkdtemp(join(tmpdir(), 'muster-disk-'));
  await mkdir(join(dir, 'tree', 'etc'), { recursive: true });
  await writeFile(join(dir, 'tree', 'etc', 'hostname'), 'muster\n');
  await tool('mksquashfs', [join(dir, 'tree'), join(dir, 'root.sqfs'), '-quiet', '-noappend']);
  await writeFile(join(dir, 'vmlinuz'), randomBytes(300_000));
  await writeFile(join(dir, 'initrd.img'), randomBytes(200_000));
  return {
    dir,
    input: {
      out: join(dir, 'disk.img'),
      squashfs: join(dir, 'root.sqfs'),
      kernel: join(dir, 'vmlinuz'),
      initrd: join(dir, 'initrd.img'),
      cmdline: 'console=ttyS0,115200',
      architecture: 'amd64',
      efiLoader: hostFile(HOST_SYSTEMD_BOOT, 'systemd-boot-efi'),
      grubI386PcDir: dirname(hostFile(join(HOST_GRUB_I386_PC, 'boot.img'), 'grub-pc-bin')),
      seed: SEED,
      sourceDateEpoch: EPOCH,
      sizes: SMALL,
    },
  };
}
