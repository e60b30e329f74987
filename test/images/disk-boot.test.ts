// A real Debian image, built rootless, made into a disk by buildDiskImage and booted in QEMU by
// UEFI (systemd-boot) and by BIOS (GRUB) until systemd, started from the squashfs in slot A,
// reaches its first target. Needs http://deb.debian.org.
import { execFile } from 'node:child_process';
import { chown, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { bootInQemu } from '@muster/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// TODO(issue 15): import from '@muster/image-builder' once its index exports the disk builder.
import { buildDiskImage, type DiskLayout } from '../../libs/image-builder/src/disk/index.js';

const BUILD_USER = process.env['MUSTER_BUILD_USER'] ?? 'muster-build';
const EPOCH = 1_700_000_000;
const SEED = '0123456789abcdef'.repeat(4);
const PACKAGE_OF: Record<string, string> = {
  mmdebstrap: 'mmdebstrap',
  runuser: 'util-linux',
  unshare: 'util-linux',
  id: 'coreutils',
};
// initramfs-tools leaves squashfs out of the initrd; the root of every slot is one. Listed
// before the kernel is installed, so its initrd is made once, with the module.
const INITRD_SQUASHFS =
  '--essential-hook=mkdir -p "$1/usr/share/initramfs-tools/modules.d" && ' +
  'echo squashfs > "$1/usr/share/initramfs-tools/modules.d/muster-squashfs"';

function run(cmd: string, args: readonly string[], timeoutMs: number): Promise<string> {
  const path = `${process.env['PATH'] ?? ''}:/usr/sbin:/sbin`;
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, env: { PATH: path } },
      (err, out, errOut) => {
        if ((err as NodeJS.ErrnoException | null)?.code === 'ENOENT') {
          const pkg = PACKAGE_OF[cmd] ?? cmd;
          reject(
            new Error(
              `${cmd} is not installed. Fix — run: sudo apt-get install -y --no-install-recommends ${pkg}`,
            ),
          );
        } else if (err) reject(new Error(`${cmd} ${args.join(' ')}: ${err.message}\n${errOut.slice(-4000)}`));
        else resolve(out);
      },
    );
  });
}

/** Root runs the rootless steps as the build user (scripts/setup-image-build.sh makes it); others as themselves. */
function asBuilder(cmd: string, args: readonly string[], timeoutMs: number): Promise<string> {
  return userInfo().uid === 0
    ? run('runuser', ['-u', BUILD_USER, '--', cmd, ...args], timeoutMs)
    : run(cmd, args, timeoutMs);
}

describe('a real image on the disk', () => {
  let dir: string;
  let disk: string;
  let layout: DiskLayout;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'muster-disk-boot-'));
    if (userInfo().uid === 0) {
      const [uid, gid] = await Promise.all(['-u', '-g'].map((f) => run('id', [f, BUILD_USER], 5000)));
      await chown(dir, Number(uid), Number(gid));
    }
    const tar = join(dir, 'root.tar');
    await asBuilder(
      'env',
      [
        `SOURCE_DATE_EPOCH=${EPOCH}`,
        'mmdebstrap',
        '--mode=unshare',
        '--variant=minbase',
        '--include=linux-image-cloud-amd64,systemd-sysv,initramfs-tools,systemd-boot-efi,udev',
        INITRD_SQUASHFS,
        'bookworm',
        tar,
        'http://deb.debian.org/debian',
      ],
      480_000,
    );
    const root = join(dir, 'root');
    const squashfs = join(dir, 'root.sqfs');
    // Device nodes cannot be made in a user namespace; the kernel's devtmpfs provides /dev.
    await asBuilder(
      'unshare',
      [
        '--map-auto',
        '--map-root-user',
        'sh',
        '-c',
        'mkdir "$2" && tar -xf "$1" -C "$2" --exclude="./dev/*" && ' +
          'mksquashfs "$2" "$3" -comp zstd -Xcompression-level 3 -no-fragments -quiet -noappend',
        'sh',
        tar,
        root,
        squashfs,
      ],
      300_000,
    );
    const boot = await readdir(join(root, 'boot'));
    const version = boot.find((f) => f.startsWith('vmlinuz-'))!.slice('vmlinuz-'.length);
    disk = join(dir, 'disk.img');
    layout = await buildDiskImage({
      out: disk,
      squashfs,
      kernel: join(root, 'boot', `vmlinuz-${version}`),
      initrd: join(root, 'boot', `initrd.img-${version}`),
      cmdline: 'console=ttyS0,115200',
      architecture: 'amd64',
      efiLoader: join(root, 'usr/lib/systemd/boot/efi/systemd-bootx64.efi'),
      grubI386PcDir: '/usr/lib/grub/i386-pc',
      seed: SEED,
      sourceDateEpoch: EPOCH,
    });
  }, 900_000);

  afterAll(async () => {
    if (!dir) return;
    // The extracted tree belongs to the build user's subordinate ids: remove it from inside.
    await asBuilder(
      'unshare',
      ['--map-auto', '--map-root-user', 'rm', '-rf', join(dir, 'root')],
      120_000,
    ).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  it.each(['uefi', 'bios'] as const)(
    'boots by %s into systemd on slot A',
    async (firmware) => {
      const rootA = layout.partitions.find((p) => p.name === 'muster-root-a')!.partuuid;
      const boot = await bootInQemu({ disk, firmware, until: /Reached target/, timeoutMs: 400_000 });
      expect(boot.matched, boot.serial.slice(-4000)).toBe(true);
      expect(boot.serial).toContain(`root=PARTUUID=${rootA} rootfstype=squashfs ro console=ttyS0,115200`);
      expect(boot.serial).toMatch(/squashfs: version/);
    },
    420_000,
  );
});
