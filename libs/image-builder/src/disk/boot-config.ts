import { DiskImageInputError } from './disk-errors.js';

/** Where each boot file sits on the ESP (FAT paths, `/`-separated, from the ESP's root). */
export const ESP_PATH = {
  loaderConf: 'loader/loader.conf',
  entryA: 'loader/entries/muster-a.conf',
  kernelA: 'muster/a/vmlinuz',
  initrdA: 'muster/a/initrd.img',
  grubCfg: 'grub/grub.cfg',
  grubEnv: 'grub/grubenv',
} as const;

/** The removable-media path every UEFI firmware tries: no NVRAM boot entry is needed. */
export function efiLoaderPath(architecture: 'amd64' | 'arm64'): string {
  return architecture === 'amd64' ? 'EFI/BOOT/BOOTX64.EFI' : 'EFI/BOOT/BOOTAA64.EFI';
}

// Kernel parameters are written into two config languages (systemd-boot's and GRUB's, which
// expands $ and quotes); words made of these characters mean the same in both.
const SAFE_WORD = /^[A-Za-z0-9_.,:=/@+%~-]+$/;

/** The recipe's extra kernel parameters, checked and with single spaces; '' when none. */
export function checkCmdline(cmdline: string): string {
  const words = cmdline.split(' ').filter((w) => w !== '');
  for (const word of words) {
    if (!SAFE_WORD.test(word)) {
      throw new DiskImageInputError(
        'cmdline',
        `kernel parameter ${JSON.stringify(word)} has a character other than letters, digits and _ . , : = / @ + % ~ -`,
      );
    }
    if (/^root(fstype)?=/.test(word)) {
      throw new DiskImageInputError('cmdline', `${word}: the root is chosen by the boot entry of each slot`);
    }
  }
  return words.join(' ');
}

/** The kernel command line of slot A: its root partition, read-only squashfs, then the recipe's. */
export function slotOptions(rootPartuuid: string, cmdline: string): string {
  return `root=PARTUUID=${rootPartuuid} rootfstype=squashfs ro${cmdline ? ` ${cmdline}` : ''}`;
}

export function loaderConf(): string {
  return ['default muster-a.conf', 'timeout 0', 'editor no', ''].join('\n');
}

export function loaderEntryA(options: string): string {
  return [
    'title Muster (slot A)',
    `linux /${ESP_PATH.kernelA}`,
    `initrd /${ESP_PATH.initrdA}`,
    `options ${options}`,
    '',
  ].join('\n');
}

/**
 * Built into core.img: find the ESP by its volume id (whatever number the firmware gives the
 * disk), then read grub.cfg from its /grub.
 */
export function grubEmbeddedCfg(fatUuid: string): string {
  return [`search --no-floppy --fs-uuid --set=root ${fatUuid}`, 'set prefix=($root)/grub', ''].join('\n');
}

/**
 * GRUB's slot choice, the same as grub-reboot / grub-set-default use: next_entry is a one-time
 * choice, cleared as soon as it is read; saved_entry the lasting one; muster-a when neither is set.
 */
export function grubCfg(options: string): string {
  return [
    '# Written by the Muster image builder: the BIOS boot path (see docs/images/disk-layout.md).',
    'set default=muster-a',
    'set timeout=0',
    'load_env --file "${prefix}/grubenv"',
    'if [ -n "${next_entry}" ]; then',
    '  set default="${next_entry}"',
    '  set next_entry=',
    '  save_env --file "${prefix}/grubenv" next_entry',
    'elif [ -n "${saved_entry}" ]; then',
    '  set default="${saved_entry}"',
    'fi',
    '',
    "menuentry 'Muster (slot A)' --id muster-a {",
    "  echo 'Loading Muster slot A'",
    `  linux /${ESP_PATH.kernelA} ${options}`,
    `  initrd /${ESP_PATH.initrdA}`,
    '}',
    '',
  ].join('\n');
}

/** An empty GRUB environment block: exactly 1024 bytes, as grub-editenv creates it (save_env rewrites it in place). */
export function emptyGrubEnv(): string {
  const header = '# GRUB Environment Block\n';
  return header + '#'.repeat(1024 - header.length);
}
