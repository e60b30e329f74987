import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { compressChunk } from '@muster/chunks';
import { frameContentSize } from './zstd-frame.js';

describe('frameContentSize', () => {
  it('reads the size each header form declares', () => {
    for (const size of [1, 200, 255, 256, 300, 65_791, 65_792, 70_000, 4 * 1024 * 1024]) {
      expect(frameContentSize(compressChunk(randomBytes(size))), String(size)).toBe(size);
      expect(frameContentSize(compressChunk(Buffer.alloc(size))), `zeros ${size}`).toBe(size);
    }
  });

  it('says nothing for what is not a frame', () => {
    expect(frameContentSize(Buffer.from('not a zstd frame'))).toBeUndefined();
    expect(frameContentSize(Buffer.alloc(3))).toBeUndefined();
  });
});
