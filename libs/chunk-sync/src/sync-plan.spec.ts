import { describe, expect, it } from 'vitest';
import { manifestOf, sha256Hex } from '@muster/chunks';
import { batchByStoredBytes, groupChunks, seedOffers } from './sync-plan.js';

const id = (n: number): string => sha256Hex(Buffer.from([n]));
const manifest = (chunks: [number, number, number][]) =>
  manifestOf(
    'fastcdc-v1',
    id(255),
    chunks.map(([n, length, storedLength]) => ({ sha256: id(n), length, storedLength })),
  );

describe('groupChunks', () => {
  it('groups the places of each chunk, in first-use order', () => {
    const groups = groupChunks(
      manifest([
        [1, 10, 5],
        [2, 20, 8],
        [1, 10, 5],
        [3, 5, 5],
        [2, 20, 8],
      ]),
    );
    expect(groups).toEqual([
      { sha256: id(1), length: 10, storedLength: 5, indexes: [0, 2] },
      { sha256: id(2), length: 20, storedLength: 8, indexes: [1, 4] },
      { sha256: id(3), length: 5, storedLength: 5, indexes: [3] },
    ]);
  });

  it('gives nothing for an empty file', () => {
    expect(groupChunks(manifest([]))).toEqual([]);
  });
});

describe('batchByStoredBytes', () => {
  const groups = groupChunks(
    manifest([
      [1, 9, 4],
      [2, 9, 4],
      [3, 9, 4],
      [4, 9, 10],
      [5, 9, 1],
    ]),
  );
  const ids = (batches: ReturnType<typeof batchByStoredBytes>) => batches.map((b) => b.map((g) => g.sha256));

  it('fills each request up to the stored bytes asked for, a bigger chunk alone', () => {
    expect(ids(batchByStoredBytes(groups, 8))).toEqual([[id(1), id(2)], [id(3)], [id(4)], [id(5)]]);
    expect(ids(batchByStoredBytes(groups, 100))).toEqual([[id(1), id(2), id(3), id(4), id(5)]]);
  });

  it('never names more chunks than one request may', () => {
    expect(batchByStoredBytes(groups, 100, 2).map((b) => b.length)).toEqual([2, 2, 1]);
  });
});

describe('seedOffers', () => {
  const target = groupChunks(
    manifest([
      [1, 10, 5],
      [2, 20, 8],
      [3, 5, 5],
    ]),
  );
  const wanted = new Map(target.map((g) => [g.sha256, g]));

  it('reads only the wanted chunks, once each, in seed order', () => {
    const seed = manifest([
      [9, 7, 7],
      [3, 5, 5],
      [1, 10, 5],
      [3, 5, 5],
    ]);
    expect(seedOffers(seed, wanted).map((o) => [o.group.sha256, o.offset])).toEqual([
      [id(3), 7],
      [id(1), 12],
    ]);
  });

  it('ignores a seed chunk whose length disagrees with the target', () => {
    expect(seedOffers(manifest([[2, 21, 8]]), wanted)).toEqual([]);
  });
});
