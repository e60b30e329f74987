import { describe, expect, it } from 'vitest';
import type { SquashfsLayout } from './squashfs-layout.js';
import { type Segment, squashfsSegments } from './squashfs-plan.js';

const layout = (
  runs: { start: number; blocks: number[] }[],
  tableStarts: number[],
  bytesUsed: number,
): SquashfsLayout => ({
  compressor: 'zstd',
  blockSize: 131072,
  bytesUsed,
  tableStarts,
  runs: runs.map(({ start, blocks }) => {
    let end = start;
    const blockEnds = blocks.map((b) => (end += b));
    return { start, end, blockEnds };
  }),
});
const plan = (l: SquashfsLayout, size: number, max: number) => [...squashfsSegments(l, size, max)];
const spans = (ss: Segment[]) => ss.map((s) => `${s.kind[0]}${s.start}-${s.end}`);

describe('squashfsSegments', () => {
  it('covers the file exactly, runs cut at block ends up to maxSize, gaps split at table starts', () => {
    const l = layout(
      [
        { start: 96, blocks: [30, 30, 30] }, // 90 bytes: 60 + 30 with maxSize 64
        { start: 300, blocks: [10] },
        { start: 310, blocks: [150, 20] }, // a block above maxSize: sliced alone, then the rest
      ],
      [600, 700],
      750,
    );
    const ss = plan(l, 800, 64);
    expect(spans(ss)).toEqual([
      'c0-96',
      'p96-156',
      'p156-186',
      'c186-300',
      'p300-310',
      'p310-374',
      'p374-438',
      'p438-460',
      'p460-480',
      'c480-600',
      'c600-700',
      'c700-750',
      'c750-800',
    ]);
    for (const s of ss) if (s.kind === 'piece') expect(s.end - s.start).toBeLessThanOrEqual(64);
  });

  it('keeps a run as one piece when it fits', () => {
    expect(spans(plan(layout([{ start: 96, blocks: [10, 20] }], [200], 200), 200, 64))).toEqual([
      'c0-96',
      'p96-126',
      'c126-200',
    ]);
  });
});
