import { describe, expect, it } from 'vitest';
import { LruIndex } from './lru-index.js';

const sha = (n: number) => n.toString(16).padStart(64, '0');

describe('LruIndex', () => {
  it('offers the least recently used entries first, a use moving an entry to the end', () => {
    const index = new LruIndex();
    for (const n of [1, 2, 3]) index.add({ kind: 'chunk', sha256: sha(n), bytes: 10, usedAt: 0 });
    index.touch('chunk', sha(1), 1);
    expect(index.victims(25, 0)?.map((e) => e.sha256)).toEqual([sha(2)]);
    expect(index.victims(30, 15)?.map((e) => e.sha256)).toEqual([sha(2), sha(3)]);
    expect(index.victims(100, 10)).toEqual([]);
  });

  it('never offers a pinned entry, and says when the unpinned ones are not enough', () => {
    const index = new LruIndex();
    for (const n of [1, 2]) index.add({ kind: 'chunk', sha256: sha(n), bytes: 10, usedAt: 0 });
    index.pin('chunk', sha(1));
    expect(index.victims(15, 0)?.map((e) => e.sha256)).toEqual([sha(2)]);
    expect(index.victims(5, 0)).toBeUndefined();
    index.unpin('chunk', sha(1));
    expect(index.victims(5, 0)?.map((e) => e.sha256)).toEqual([sha(1), sha(2)]);
  });

  it('counts bytes and chunks as entries come and go', () => {
    const index = new LruIndex();
    index.add({ kind: 'chunk', sha256: sha(1), bytes: 10, usedAt: 0 });
    index.add({ kind: 'manifest', sha256: sha(1), bytes: 5, usedAt: 0 });
    index.add({ kind: 'chunk', sha256: sha(1), bytes: 10, usedAt: 0 });
    expect([index.usedBytes, index.chunkCount]).toEqual([15, 1]);
    index.remove('chunk', sha(1));
    expect([index.usedBytes, index.chunkCount]).toEqual([5, 0]);
  });
});
