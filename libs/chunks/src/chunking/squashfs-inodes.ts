import { NotSquashfsError } from './squashfs-superblock.js';

/** A regular file's data blocks as they lie in the image: from `start`, these on-disk sizes. */
export interface FileBlocks {
  start: number;
  /** On-disk (compressed or stored) size of each block, sparse blocks (size 0) left out. */
  blocks: number[];
}

const INODE_HEADER_BYTES = 16;
const NO_FRAGMENT = 0xffffffff;
const BLOCK_SIZE_MASK = 0x00ffffff;

/** Bytes after the header of an inode whose size does not depend on its contents. */
const FIXED_BODY: Record<number, number> = {
  1: 16, // basic directory
  4: 8, // basic block device
  5: 8, // basic character device
  6: 4, // basic fifo
  7: 4, // basic socket
  11: 12, // extended block device (+ xattr index)
  12: 12, // extended character device
  13: 8, // extended fifo
  14: 8, // extended socket
};

/**
 * Walks `count` inodes of a decompressed inode table and returns the data blocks of every
 * regular file (basic and extended) that has any; every other inode type is stepped over by
 * its size. Throws NotSquashfsError on an unknown type or a table that ends early.
 */
export function regularFileBlocks(table: Buffer, count: number, blockSize: number): FileBlocks[] {
  const files: FileBlocks[] = [];
  const need = (at: number, n: number) => {
    if (at + n > table.length) throw new NotSquashfsError('the inode table ends inside an inode');
  };
  let at = 0;
  for (let i = 0; i < count; i++) {
    need(at, INODE_HEADER_BYTES);
    const type = table.readUInt16LE(at);
    const body = at + INODE_HEADER_BYTES;
    const fixed = FIXED_BODY[type];
    if (fixed !== undefined) {
      need(body, fixed);
      at = body + fixed;
    } else if (type === 2 || type === 9) {
      const extended = type === 9;
      const fixedBytes = extended ? 40 : 16;
      need(body, fixedBytes);
      const start = extended ? Number(table.readBigUInt64LE(body)) : table.readUInt32LE(body);
      const fileSize = extended ? Number(table.readBigUInt64LE(body + 8)) : table.readUInt32LE(body + 12);
      const fragment = table.readUInt32LE(extended ? body + 28 : body + 4);
      const n = fragment === NO_FRAGMENT ? Math.ceil(fileSize / blockSize) : Math.floor(fileSize / blockSize);
      const list = body + fixedBytes;
      need(list, 4 * n);
      const blocks: number[] = [];
      for (let k = 0; k < n; k++) {
        const size = table.readUInt32LE(list + 4 * k) & BLOCK_SIZE_MASK;
        if (size !== 0) blocks.push(size);
      }
      if (blocks.length > 0) files.push({ start, blocks });
      at = list + 4 * n;
    } else if (type === 3 || type === 10) {
      need(body, 8);
      const targetSize = table.readUInt32LE(body + 4);
      at = body + 8 + targetSize + (type === 10 ? 4 : 0);
      need(at, 0);
    } else if (type === 8) {
      need(body, 24);
      let indexCount = table.readUInt16LE(body + 16);
      at = body + 24;
      while (indexCount-- > 0) {
        need(at, 12);
        at += 12 + table.readUInt32LE(at + 8) + 1;
      }
      need(at, 0);
    } else {
      throw new NotSquashfsError(`inode ${i} has unknown type ${type}`);
    }
  }
  return files;
}
