import { join } from 'node:path';
import { bundleDigest, type BundledRecipe } from '@muster/recipes';
import type { BuiltOutput } from './build-image.types.js';
import { buildDiskImage } from './disk/index.js';
import { runTool } from './tool-runner.js';
import { runInUserNamespace } from './user-namespace.js';
import type { WorkArea } from './work-area.js';

export interface OutputsInput {
  recipe: BundledRecipe;
  rootTar: string;
  area: WorkArea;
  sourceDateEpoch: number;
  buildUser?: string;
  signal: AbortSignal;
  onLog: (line: string) => void;
}

/** Fixed squashfs options: the artifact store chunks at file boundaries (docs/images). */
export const SQUASHFS_OPTIONS = [
  '-comp',
  'zstd',
  '-Xcompression-level',
  '3',
  '-no-fragments',
  '-noappend',
  '-no-progress',
  '-quiet',
];

const EFI_LOADER: Record<string, string> = { amd64: 'systemd-bootx64.efi', arm64: 'systemd-bootaa64.efi' };

/**
 * Inside a user namespace (so owners come from the tarball, without root): unpack the root,
 * make the squashfs, copy out the kernel, initrd and EFI loader. /dev is left an empty
 * directory: the kernel mounts devtmpfs there.
 */
const PACK = `
tar=$1 out=$2 squash=$3 kernel=$4 efi=$5
root="$out/.root"
mkdir "$root"
tar -xpf "$tar" -C "$root" --numeric-owner --exclude='./dev/?*'
if [ "$squash" = 1 ]; then mksquashfs "$root" "$out/root.squashfs" "$@"; fi
if [ "$kernel" = 1 ]; then
  set -- "$root"/boot/vmlinuz-*
  [ "$#" -eq 1 ] && [ -e "$1" ] || { echo "muster: expected one kernel in /boot, found: $*" >&2; exit 3; }
  v=\${1##*/vmlinuz-}
  [ -e "$root/boot/initrd.img-$v" ] || { echo "muster: no initrd.img-$v in /boot (initramfs-tools)" >&2; exit 3; }
  cp "$1" "$out/vmlinuz"; cp "$root/boot/initrd.img-$v" "$out/initrd.img"; chmod 0644 "$out/vmlinuz" "$out/initrd.img"
fi
if [ -n "$efi" ]; then cp "$root/usr/lib/systemd/boot/efi/$efi" "$out/$efi"; chmod 0644 "$out/$efi"; fi
rm -rf "$root"
`;

export async function buildOutputs(o: OutputsInput): Promise<Omit<BuiltOutput, 'sha256' | 'sizeBytes'>[]> {
  const { recipe, area } = o;
  const wants = (x: string) => recipe.outputs.includes(x as never);
  const disk = wants('disk');
  const kernel = wants('netboot') || disk;
  const efi = disk ? (EFI_LOADER[recipe.architecture] ?? '') : '';
  const tool = {
    ...(o.buildUser ? { asUser: o.buildUser } : {}),
    env: { SOURCE_DATE_EPOCH: String(o.sourceDateEpoch) },
    signal: o.signal,
    onLine: o.onLog,
  };
  // The script's "$@" after shift 5 is the squashfs options.
  await runInUserNamespace(
    `${PACK.replace('tar=$1 out=$2 squash=$3 kernel=$4 efi=$5', 'tar=$1 out=$2 squash=$3 kernel=$4 efi=$5; shift 5')}`,
    [
      o.rootTar,
      area.out,
      wants('squashfs') || disk ? '1' : '0',
      kernel ? '1' : '0',
      efi,
      ...SQUASHFS_OPTIONS,
    ],
    tool,
  );
  const made: Omit<BuiltOutput, 'sha256' | 'sizeBytes'>[] = [];
  const at = (f: string) => join(area.out, f);
  if (wants('squashfs'))
    made.push({ kind: 'squashfs', fileName: 'root.squashfs', path: at('root.squashfs') });
  if (kernel && wants('netboot')) {
    made.push({ kind: 'kernel', fileName: 'vmlinuz', path: at('vmlinuz') });
    made.push({ kind: 'initrd', fileName: 'initrd.img', path: at('initrd.img') });
  }
  if (wants('tarball')) {
    await runTool('zstd', ['-q', '-3', '-T0', o.rootTar, '-o', at('rootfs.tar.zst')], tool);
    made.push({ kind: 'tarball', fileName: 'rootfs.tar.zst', path: at('rootfs.tar.zst') });
  }
  if (disk) {
    o.onLog('making the A/B disk image');
    await buildDiskImage(
      {
        out: at('disk.img'),
        squashfs: at('root.squashfs'),
        kernel: at('vmlinuz'),
        initrd: at('initrd.img'),
        cmdline: recipe.kernel.cmdline,
        architecture: recipe.architecture,
        efiLoader: at(efi),
        ...(recipe.architecture === 'amd64' ? { grubI386PcDir: '/usr/lib/grub/i386-pc' } : {}),
        // Not the recipe digest: a rebuild pinned to a kept package set adds `packageSet` to the
        // recipe, and must still give the same disk.
        seed: bundleDigest({ ...recipe, packageSet: undefined }),
        sourceDateEpoch: o.sourceDateEpoch,
      },
      o.signal,
    );
    made.push({ kind: 'disk', fileName: 'disk.img', path: at('disk.img') });
  }
  return made;
}
