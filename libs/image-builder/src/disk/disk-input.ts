import { open, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { checkCmdline } from './boot-config.js';
import { DiskImageInputError } from './disk-errors.js';
import {
  DEFAULT_DATA_MIB,
  DEFAULT_ESP_MIB,
  defaultSlotMiB,
  MIB,
  type PartitionSizesMiB,
} from './disk-layout.js';
import { SEED_PATTERN } from './seed-ids.js';

export interface DiskImageInput {
  /** The raw image to write (a sparse file); replaced only once the whole image is written. */
  out: string;
  /** The root file system: written raw into root slot A (slot B stays zero). */
  squashfs: string;
  kernel: string;
  initrd: string;
  /** The recipe's extra kernel parameters (may be ''). */
  cmdline: string;
  architecture: 'amd64' | 'arm64';
  /** systemd-boot's EFI binary for that architecture, taken from the image itself. */
  efiLoader: string;
  /** /usr/lib/grub/i386-pc of the build host: the BIOS boot path (amd64 only; none when absent). */
  grubI386PcDir?: string;
  /** 64 lowercase hex characters (the recipe digest): every GUID, the FAT volume id and the ext4 UUID/hash seed. */
  seed: string;
  /** Every timestamp written. */
  sourceDateEpoch: number;
  sizes?: { espMiB?: number; slotMiB?: number; dataMiB?: number };
}

export interface CheckedDiskInput extends Omit<DiskImageInput, 'sizes'> {
  sizes: PartitionSizesMiB;
}

// FAT dates start in 1980; 2099 keeps well inside both FAT's and ext4's range.
const FIRST_EPOCH = 315_532_800;
const LAST_EPOCH = 4_102_444_799;
const MIN_ESP_MIB = 64;
const MIN_DATA_MIB = 16;
const PE_MACHINE = { amd64: 0x8664, arm64: 0xaa64 } as const;

async function readHead(path: string, bytes: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

async function fileSize(field: string, path: unknown): Promise<number> {
  if (typeof path !== 'string' || path === '')
    throw new DiskImageInputError(field, 'a file path is required');
  const st = await stat(path).catch(() => undefined);
  if (!st) throw new DiskImageInputError(field, `${path} does not exist`);
  if (!st.isFile()) throw new DiskImageInputError(field, `${path} is not a regular file`);
  if (st.size === 0) throw new DiskImageInputError(field, `${path} is empty`);
  return st.size;
}

function sizeField(field: string, value: number | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new DiskImageInputError(
      `sizes.${field}`,
      `must be a whole number of MiB, at least ${min} (got ${value})`,
    );
  }
  return value;
}

async function checkEfiLoader(path: string, architecture: 'amd64' | 'arm64'): Promise<void> {
  const head = await readHead(path, 4096);
  const peAt = head.length >= 0x40 ? head.readUInt32LE(0x3c) : -1;
  const isPe =
    head.toString('latin1', 0, 2) === 'MZ' &&
    peAt > 0 &&
    peAt + 6 <= head.length &&
    head.toString('latin1', peAt, peAt + 4) === 'PE\0\0';
  if (!isPe) throw new DiskImageInputError('efiLoader', `${path} is not an EFI (PE) binary`);
  const machine = head.readUInt16LE(peAt + 4);
  if (machine !== PE_MACHINE[architecture]) {
    throw new DiskImageInputError(
      'efiLoader',
      `${path} is for PE machine 0x${machine.toString(16)}, not ${architecture} (0x${PE_MACHINE[architecture].toString(16)})`,
    );
  }
}

async function checkGrubDir(dir: string): Promise<void> {
  const bootImg = await stat(join(dir, 'boot.img')).catch(() => undefined);
  const moddep = await stat(join(dir, 'moddep.lst')).catch(() => undefined);
  if (bootImg?.size !== 512 || !moddep?.isFile()) {
    throw new DiskImageInputError(
      'grubI386PcDir',
      `${dir} has no GRUB i386-pc modules (boot.img, moddep.lst). Fix — run: sudo apt-get install -y --no-install-recommends grub-pc-bin`,
    );
  }
}

/** Every field checked, the files read enough to refuse a wrong one, and the sizes settled. */
export async function checkDiskInput(input: DiskImageInput): Promise<CheckedDiskInput> {
  if (typeof input.out !== 'string' || input.out === '')
    throw new DiskImageInputError('out', 'a path is required');
  const outDir = await stat(dirname(input.out)).catch(() => undefined);
  if (!outDir?.isDirectory())
    throw new DiskImageInputError('out', `${dirname(input.out)} is not a directory`);
  if (typeof input.seed !== 'string' || !SEED_PATTERN.test(input.seed)) {
    throw new DiskImageInputError('seed', 'must be 64 lowercase hex characters (the recipe digest)');
  }
  if (input.architecture !== 'amd64' && input.architecture !== 'arm64') {
    throw new DiskImageInputError(
      'architecture',
      `must be amd64 or arm64 (got ${String(input.architecture)})`,
    );
  }
  if (input.grubI386PcDir !== undefined && input.architecture !== 'amd64') {
    throw new DiskImageInputError('grubI386PcDir', 'the BIOS boot path exists only for amd64');
  }
  const epoch = input.sourceDateEpoch;
  if (!Number.isSafeInteger(epoch) || epoch < FIRST_EPOCH || epoch > LAST_EPOCH) {
    throw new DiskImageInputError(
      'sourceDateEpoch',
      `must be whole seconds from 1980-01-01 to 2099-12-31 (FAT cannot record earlier times); got ${epoch}`,
    );
  }
  if (typeof input.cmdline !== 'string') throw new DiskImageInputError('cmdline', 'must be a string');
  const cmdline = checkCmdline(input.cmdline);

  const squashfsBytes = await fileSize('squashfs', input.squashfs);
  if ((await readHead(input.squashfs, 4)).toString('latin1') !== 'hsqs') {
    throw new DiskImageInputError('squashfs', `${input.squashfs} is not a squashfs image`);
  }
  const bootBytes = (await fileSize('kernel', input.kernel)) + (await fileSize('initrd', input.initrd));
  const loaderBytes = await fileSize('efiLoader', input.efiLoader);
  await checkEfiLoader(input.efiLoader, input.architecture);
  if (input.grubI386PcDir !== undefined) await checkGrubDir(input.grubI386PcDir);

  const minSlotMiB = Math.ceil(squashfsBytes / MIB);
  const sizes = {
    espMiB: sizeField('espMiB', input.sizes?.espMiB, DEFAULT_ESP_MIB, MIN_ESP_MIB),
    slotMiB: sizeField('slotMiB', input.sizes?.slotMiB, defaultSlotMiB(squashfsBytes), minSlotMiB),
    dataMiB: sizeField('dataMiB', input.sizes?.dataMiB, DEFAULT_DATA_MIB, MIN_DATA_MIB),
  };
  // Both slots' kernels and initrds must fit: an update writes slot B's beside slot A's.
  // FAT32 with 512-byte clusters spends under 2% on its two FATs; 4 MiB covers the rest.
  const needMiB = Math.ceil((2 * bootBytes + loaderBytes) / MIB) + 4;
  if (needMiB > Math.floor(sizes.espMiB * 0.98)) {
    throw new DiskImageInputError(
      'sizes.espMiB',
      `an ESP of ${sizes.espMiB} MiB cannot hold two slots' kernel and initrd plus the loader (${needMiB} MiB)`,
    );
  }
  return { ...input, cmdline, sizes };
}
