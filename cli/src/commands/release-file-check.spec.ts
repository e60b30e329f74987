import { describe, expect, it } from 'vitest';
import type { ManifestChunk } from '@muster/chunks';
import { windows } from './release-file-check.js';

const chunk = (sha256: string, length: number): ManifestChunk => ({
  sha256,
  offset: 0,
  length,
  storedLength: 1,
});

describe('windows', () => {
  it('keeps the file order and cuts before a new chunk would pass the budget', () => {
    const chunks = [chunk('a', 60), chunk('b', 30), chunk('c', 20), chunk('d', 100), chunk('e', 10)];
    expect([...windows(chunks, 100)].map((w) => w.map((c) => c.sha256))).toEqual([
      ['a', 'b'],
      ['c'],
      ['d'],
      ['e'],
    ]);
  });

  it('counts a chunk repeated inside a window once', () => {
    const chunks = [chunk('z', 50), chunk('z', 50), chunk('z', 50), chunk('y', 50)];
    expect([...windows(chunks, 100)].map((w) => w.length)).toEqual([4]);
  });

  it('gives a chunk larger than the budget a window of its own', () => {
    expect([...windows([chunk('a', 500), chunk('b', 1)], 100)].map((w) => w.length)).toEqual([1, 1]);
  });
});
