/** The squashfs 4.0 superblock, the first 96 bytes of an image (little-endian). */
export const SQUASHFS_MAGIC = 0x73717368;
export const SUPERBLOCK_BYTES = 96;
/** "No table" in a table-start field. */
const ABSENT = 0xffff_ffff_ffff_ffffn;

export const COMPRESSORS = { 1: 'gzip', 2: 'lzma', 3: 'lzo', 4: 'xz', 5: 'lz4', 6: 'zstd' } as const;
export type CompressorName = (typeof COMPRESSORS)[keyof typeof COMPRESSORS];

export interface Superblock {
  inodeCount: number;
  blockSize: number;
  fragmentEntryCount: number;
  compressor: CompressorName;
  flags: number;
  bytesUsed: number;
  inodeTableStart: number;
  directoryTableStart: number;
  /** Absent tables are null. */
  idTableStart: number;
  xattrIdTableStart: number | null;
  fragmentTableStart: number | null;
  exportTableStart: number | null;
}

/** The image is not one this parser reads (a caller falls back to byte chunking). */
export class NotSquashfsError extends Error {
  override readonly name = 'NotSquashfsError';
}

export const FLAG_COMPRESSOR_OPTIONS = 0x0400;

export function parseSuperblock(b: Buffer, fileSize: number): Superblock {
  if (b.length < SUPERBLOCK_BYTES) throw new NotSquashfsError('shorter than a squashfs superblock');
  if (b.readUInt32LE(0) !== SQUASHFS_MAGIC) throw new NotSquashfsError('no squashfs magic');
  const major = b.readUInt16LE(28);
  const minor = b.readUInt16LE(30);
  if (major !== 4 || minor !== 0) throw new NotSquashfsError(`squashfs ${major}.${minor}, not 4.0`);
  const compressor = COMPRESSORS[b.readUInt16LE(20) as keyof typeof COMPRESSORS] as
    CompressorName | undefined;
  if (!compressor) throw new NotSquashfsError(`unknown compressor id ${b.readUInt16LE(20)}`);
  const blockSize = b.readUInt32LE(12);
  if (blockSize < 4096 || blockSize > 1 << 20 || 1 << b.readUInt16LE(22) !== blockSize)
    throw new NotSquashfsError(`block size ${blockSize} is not a power of two in 4 KiB…1 MiB`);
  const offset = (at: number, optional: boolean): number | null => {
    const v = b.readBigUInt64LE(at);
    if (v === ABSENT && optional) return null;
    if (v > BigInt(fileSize))
      throw new NotSquashfsError(`a table start (${v}) lies past the end of the file`);
    return Number(v);
  };
  const sb: Superblock = {
    inodeCount: b.readUInt32LE(4),
    blockSize,
    fragmentEntryCount: b.readUInt32LE(16),
    compressor,
    flags: b.readUInt16LE(24),
    bytesUsed: offset(40, false)!,
    idTableStart: offset(48, false)!,
    xattrIdTableStart: offset(56, true),
    inodeTableStart: offset(64, false)!,
    directoryTableStart: offset(72, false)!,
    fragmentTableStart: offset(80, true),
    exportTableStart: offset(88, true),
  };
  if (!(SUPERBLOCK_BYTES <= sb.inodeTableStart && sb.inodeTableStart <= sb.directoryTableStart))
    throw new NotSquashfsError('the inode table does not precede the directory table');
  return sb;
}

/** Every table start the superblock names, ascending (forced chunk cuts). */
export function tableStarts(sb: Superblock): number[] {
  const all = [
    sb.inodeTableStart,
    sb.directoryTableStart,
    sb.idTableStart,
    sb.xattrIdTableStart,
    sb.fragmentTableStart,
    sb.exportTableStart,
  ].filter((v): v is number => v !== null);
  return [...new Set(all)].sort((x, y) => x - y);
}
