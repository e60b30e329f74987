import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SECTOR_BYTES } from './disk-layout.js';
import { runTool } from './run-tool.js';

// Offsets in GRUB's boot.img (include/grub/i386/pc/boot.h).
const BPB_START = 0x03;
const BPB_END = 0x5a;
const KERNEL_SECTOR = 0x5c;
const BOOT_DRIVE = 0x64;
const DRIVE_CHECK = 0x66;
const WINDOWS_NT_MAGIC = 0x1b8;

// diskboot.img (the first sector of core.img) ends with blocklists growing downwards: each
// 12 bytes, { start: u64, len: u16, segment: u16 }; a zero len ends the list.
const BLOCKLIST_BYTES = 12;
const FIRST_BLOCKLIST = SECTOR_BYTES - BLOCKLIST_BYTES;
// Where diskboot loads the rest of core.img: GRUB_BOOT_I386_PC_KERNEL_SEG + one sector.
const CORE_LOAD_SEGMENT = 0x820;

/** What core.img holds: the disk, GPT and FAT drivers, and what grub.cfg uses. */
const CORE_MODULES = [
  'biosdisk',
  'part_gpt',
  'fat',
  'search',
  'search_fs_uuid',
  'configfile',
  'normal',
  'linux',
  'echo',
  'test',
  'loadenv',
];

export interface CoreImgOptions {
  grubI386PcDir: string;
  embeddedCfg: string;
  workDir: string;
  env: Record<string, string>;
  signal?: AbortSignal;
}

/** GRUB's i386-pc core.img with every module grub.cfg needs built in (nothing is read from /grub/i386-pc). */
export async function buildCoreImg(o: CoreImgOptions): Promise<Buffer> {
  const cfg = join(o.workDir, 'grub-embedded.cfg');
  const out = join(o.workDir, 'core.img');
  await writeFile(cfg, o.embeddedCfg);
  await runTool(
    'grub-mkimage',
    ['-O', 'i386-pc', '-d', o.grubI386PcDir, '-c', cfg, '-p', '/grub', '-o', out, ...CORE_MODULES],
    { env: o.env, ...(o.signal ? { signal: o.signal } : {}) },
  );
  return readFile(out);
}

/**
 * core.img as it must lie at `lba`, padded to whole sectors: what grub-bios-setup does when it
 * embeds core.img in contiguous sectors (without Reed-Solomon codes) — diskboot's first
 * blocklist loads the remaining sectors, right after its own, and the next one ends the list.
 */
export function placeCoreImg(core: Buffer, lba: number): Buffer {
  const sectors = Math.ceil(core.length / SECTOR_BYTES);
  if (core.readUInt16LE(FIRST_BLOCKLIST + 10) !== CORE_LOAD_SEGMENT) {
    throw new Error(
      'core.img does not start with GRUB i386-pc diskboot (is grubI386PcDir an i386-pc directory?)',
    );
  }
  const placed = Buffer.alloc(sectors * SECTOR_BYTES);
  core.copy(placed);
  placed.writeBigUInt64LE(BigInt(lba + 1), FIRST_BLOCKLIST);
  placed.writeUInt16LE(sectors - 1, FIRST_BLOCKLIST + 8);
  placed.writeUInt16LE(CORE_LOAD_SEGMENT, FIRST_BLOCKLIST + 10);
  placed.fill(0, FIRST_BLOCKLIST - BLOCKLIST_BYTES, FIRST_BLOCKLIST);
  return placed;
}

/**
 * The protective MBR with GRUB's boot.img code, as grub-bios-setup writes it: boot.img's
 * bytes except the BPB and the disk signature + partition table, which stay as sfdisk wrote
 * them; core.img's first sector at 0x5c; boot drive 0xff (use the drive the BIOS booted from);
 * the jump over the drive-number check replaced by NOPs (a hard disk, not a floppy).
 */
export function patchMbr(mbr: Buffer, bootImg: Buffer, coreLba: number): Buffer {
  if (mbr.length !== SECTOR_BYTES || bootImg.length !== SECTOR_BYTES) {
    throw new Error('the MBR and boot.img must each be one 512-byte sector');
  }
  const out = Buffer.from(mbr);
  bootImg.copy(out, 0, 0, BPB_START);
  bootImg.copy(out, BPB_END, BPB_END, WINDOWS_NT_MAGIC);
  out.writeBigUInt64LE(BigInt(coreLba), KERNEL_SECTOR);
  out[BOOT_DRIVE] = 0xff;
  out[DRIVE_CHECK] = 0x90;
  out[DRIVE_CHECK + 1] = 0x90;
  return out;
}
