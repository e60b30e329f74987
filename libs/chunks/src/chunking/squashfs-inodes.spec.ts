import { describe, expect, it } from 'vitest';
import { regularFileBlocks } from './squashfs-inodes.js';
import { NotSquashfsError } from './squashfs-superblock.js';

const BLOCK = 131072;
const u16 = (v: number) => Buffer.from(Uint16Array.of(v).buffer);
const u32 = (v: number) => Buffer.from(Uint32Array.of(v).buffer);
const u64 = (v: number) => Buffer.from(BigUint64Array.of(BigInt(v)).buffer);
const header = (type: number) => Buffer.concat([u16(type), u16(0o644), u16(0), u16(0), u32(0), u32(1)]);
const inode = (type: number, ...body: Buffer[]) => Buffer.concat([header(type), ...body]);

/** One inode of every type squashfs 4.0 defines, in the layouts the kernel reads. */
const every = [
  inode(1, u32(0), u32(2), u16(3), u16(0), u32(1)), // basic directory
  // basic file: 2 full blocks + a fragment tail; the second block is sparse
  inode(2, u32(96), u32(0), u32(0), u32(2 * BLOCK + 10), u32(1000), u32(0)),
  inode(3, u32(1), u32(5), Buffer.from('a/b/c')), // basic symlink
  inode(4, u32(1), u32(0x0801)), // basic block device
  inode(5, u32(1), u32(0x0103)), // basic character device
  inode(6, u32(1)), // basic fifo
  inode(7, u32(1)), // basic socket
  // extended directory with two index entries (names "ab" and "cde", stored with size - 1)
  inode(8, u32(2), u32(9000), u32(0), u32(1), u16(2), u16(0), u32(0xffffffff)),
  Buffer.concat([u32(0), u32(0), u32(1), Buffer.from('ab'), u32(8192), u32(0), u32(2), Buffer.from('cde')]),
  // extended file: no fragment, 3 blocks (the last partial), one stored uncompressed (bit 24)
  inode(9, u64(5000), u64(2 * BLOCK + 1), u64(0), u32(2), u32(0xffffffff), u32(0), u32(7)),
  Buffer.concat([u32(100), u32(200 | (1 << 24)), u32(300)]),
  inode(10, u32(1), u32(3), Buffer.from('xyz'), u32(4)), // extended symlink with xattr index
  inode(11, u32(1), u32(0x0801), u32(1)), // extended block device
  inode(12, u32(1), u32(0x0103), u32(1)), // extended character device
  inode(13, u32(1), u32(1)), // extended fifo
  inode(14, u32(1), u32(1)), // extended socket
  // a basic file small enough to live in a fragment alone: no data blocks
  inode(2, u32(0), u32(0), u32(0), u32(10)),
];
const COUNT = 15;

describe('regularFileBlocks', () => {
  it('steps over every inode type by its size and reads basic and extended files', () => {
    expect(regularFileBlocks(Buffer.concat(every), COUNT, BLOCK)).toEqual([
      { start: 96, blocks: [1000] },
      { start: 5000, blocks: [100, 200, 300] },
    ]);
  });

  it('refuses a table that ends inside an inode, or an unknown type', () => {
    const all = Buffer.concat(every);
    expect(() => regularFileBlocks(all.subarray(0, all.length - 3), COUNT, BLOCK)).toThrow(NotSquashfsError);
    expect(() => regularFileBlocks(inode(15, u32(0)), 1, BLOCK)).toThrow(/unknown type 15/);
  });
});
