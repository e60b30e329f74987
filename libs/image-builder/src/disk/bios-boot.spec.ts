import { describe, expect, it } from 'vitest';
import { patchMbr, placeCoreImg } from './bios-boot.js';

function filled(bytes: number, value: number): Buffer {
  return Buffer.alloc(bytes, value);
}

describe('patchMbr', () => {
  const mbr = filled(512, 0xaa);
  const bootImg = filled(512, 0x11);
  const out = patchMbr(mbr, bootImg, 2048);

  it("takes boot.img's code but keeps the BPB, the disk signature and the partition table", () => {
    expect(out.subarray(0, 3)).toEqual(filled(3, 0x11));
    expect(out.subarray(0x03, 0x5a)).toEqual(filled(0x57, 0xaa));
    expect(out.subarray(0x6a, 0x1b8)).toEqual(filled(0x1b8 - 0x6a, 0x11));
    expect(out.subarray(0x1b8, 0x200)).toEqual(filled(0x48, 0xaa));
  });

  it("points at core.img's first sector, uses the BIOS boot drive and skips the floppy check", () => {
    expect(out.readBigUInt64LE(0x5c)).toBe(2048n);
    expect(out[0x64]).toBe(0xff);
    expect([out[0x66], out[0x67]]).toEqual([0x90, 0x90]);
  });
});

describe('placeCoreImg', () => {
  it('loads the sectors after the first, in one run, then ends the list', () => {
    const core = filled(3 * 512 + 10, 0x22);
    core.writeUInt16LE(0x820, 510);
    const placed = placeCoreImg(core, 2048);
    expect(placed.length).toBe(4 * 512);
    expect(placed.readBigUInt64LE(500)).toBe(2049n);
    expect(placed.readUInt16LE(508)).toBe(3);
    expect(placed.readUInt16LE(510)).toBe(0x820);
    expect(placed.subarray(488, 500)).toEqual(Buffer.alloc(12));
    expect(placed.subarray(3 * 512 + 10)).toEqual(Buffer.alloc(512 - 10));
  });

  it('refuses an image that is not GRUB i386-pc', () => {
    expect(() => placeCoreImg(filled(1024, 0), 2048)).toThrow(/i386-pc/);
  });
});
