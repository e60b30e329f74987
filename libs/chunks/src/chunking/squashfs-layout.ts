import { readSync } from 'node:fs';
import { readMetadataBlocks } from './squashfs-metadata.js';
import { regularFileBlocks } from './squashfs-inodes.js';
import {
  type CompressorName,
  NotSquashfsError,
  parseSuperblock,
  SUPERBLOCK_BYTES,
  tableStarts,
} from './squashfs-superblock.js';

/** One file's contiguous data blocks in the image, `[start, end)`, and where its blocks end. */
export interface DataRun {
  start: number;
  end: number;
  /** Absolute end of each block in the run, ascending; the last is `end`. */
  blockEnds: number[];
}

export interface SquashfsLayout {
  compressor: CompressorName;
  blockSize: number;
  bytesUsed: number;
  /** Regular files' data runs, by start, without overlaps (a run sharing another's start is dropped). */
  runs: DataRun[];
  /** The table starts the superblock names, ascending. */
  tableStarts: number[];
}

/** Reads `length` bytes at `position` (fewer only at the end of the file). */
export type ReadAt = (position: number, length: number) => Buffer;

export function readAtFd(fd: number): ReadAt {
  return (position, length) => {
    const b = Buffer.allocUnsafe(length);
    let got = 0;
    while (got < length) {
      const n = readSync(fd, b, got, length - got, position + got);
      if (n === 0) break;
      got += n;
    }
    return b.subarray(0, got);
  };
}

export function readAtBuffer(data: Buffer): ReadAt {
  return (position, length) => data.subarray(position, position + length);
}

/**
 * The layout of a squashfs 4.0 image: every regular file's data run (from the inode table) and
 * the table starts. Throws NotSquashfsError when the file is not one (or not one read here:
 * inode tables compressed other than with zstd or gzip).
 */
export function squashfsLayout(source: Buffer | number, fileSize?: number): SquashfsLayout {
  const read = typeof source === 'number' ? readAtFd(source) : readAtBuffer(source);
  const size = fileSize ?? (typeof source === 'number' ? Number.MAX_SAFE_INTEGER : source.length);
  const sb = parseSuperblock(read(0, SUPERBLOCK_BYTES), size);
  const inodeBytes = sb.directoryTableStart - sb.inodeTableStart;
  const raw = read(sb.inodeTableStart, inodeBytes);
  if (raw.length !== inodeBytes) throw new NotSquashfsError('the inode table is cut off');
  const files = regularFileBlocks(readMetadataBlocks(raw, sb.compressor), sb.inodeCount, sb.blockSize);

  const byStart = new Map<number, DataRun>();
  for (const f of files) {
    const blockEnds: number[] = [];
    let end = f.start;
    for (const b of f.blocks) blockEnds.push((end += b));
    if (f.start < SUPERBLOCK_BYTES || end > sb.inodeTableStart)
      throw new NotSquashfsError(`a file's data [${f.start}, ${end}) lies outside the data area`);
    const seen = byStart.get(f.start);
    if (!seen || seen.end < end) byStart.set(f.start, { start: f.start, end, blockEnds });
  }
  const runs: DataRun[] = [];
  for (const run of [...byStart.values()].sort((a, b) => a.start - b.start))
    if (runs.length === 0 || run.start >= runs.at(-1)!.end) runs.push(run);
  return {
    compressor: sb.compressor,
    blockSize: sb.blockSize,
    bytesUsed: sb.bytesUsed,
    runs,
    tableStarts: tableStarts(sb),
  };
}
