import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileWindow } from './file-window.js';

let dir: string;
const data = Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 7 + (i >> 8)) & 0xff));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'muster-file-window-'));
  await writeFile(join(dir, 'f'), data);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('FileWindow', () => {
  it('hands out exact slices across refills, and earlier slices stay valid after them', async () => {
    const file = await open(join(dir, 'f'));
    try {
      const window = new FileWindow(file, data.length, 4096);
      const kept: { at: number; slice: Buffer }[] = [];
      for (let at = 0, step = 1; at < data.length; at += step, step = (step * 5 + 3) % 9000) {
        const length = Math.min(step + 1, data.length - at);
        const slice = await window.slice(at, length);
        expect(slice.equals(data.subarray(at, at + length))).toBe(true);
        kept.push({ at, slice });
      }
      for (const { at, slice } of kept) expect(slice.equals(data.subarray(at, at + slice.length))).toBe(true);
      await expect(window.slice(0, 10)).rejects.toThrow(RangeError);
      await expect(window.slice(data.length - 5, 10)).rejects.toThrow(RangeError);
    } finally {
      await file.close();
    }
  });
});
