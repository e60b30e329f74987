import { describe, expect, it } from 'vitest';
import { fastCdcBoundaries, fastCdcCut, fastCdcParams } from './fastcdc.js';

/** Deterministic bytes (xorshift32), so pinned boundaries mean the same input everywhere. */
function bytes(n: number, seed = 0x9e3779b9): Buffer {
  const out = Buffer.alloc(n);
  let x = seed | 0;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const lengths = (ends: number[]) => ends.map((e, i) => e - (i === 0 ? 0 : ends[i - 1]!));

describe('fastCdcBoundaries', () => {
  it('cuts the same bytes at the same places, for ever (fastcdc-v1 is pinned)', () => {
    const ends = fastCdcBoundaries(bytes(1 << 20));
    expect(ends.slice(0, 8)).toEqual(PINNED_FIRST_ENDS);
    expect(ends.length).toBe(PINNED_COUNT);
    expect(fastCdcBoundaries(bytes(1 << 20))).toEqual(ends);
  });

  it('keeps every chunk within min and max (only the last may be shorter), the average near avgSize', () => {
    for (const options of [{}, { minSize: 1024, avgSize: 4096, maxSize: 8192 }]) {
      const p = fastCdcParams(options);
      const data = bytes(4 << 20, 7);
      const ends = fastCdcBoundaries(data, p);
      const ls = lengths(ends);
      expect(ends.at(-1)).toBe(data.length);
      for (const l of ls.slice(0, -1)) {
        expect(l).toBeGreaterThanOrEqual(p.minSize);
        expect(l).toBeLessThanOrEqual(p.maxSize);
      }
      const mean = data.length / ends.length;
      expect(mean).toBeGreaterThan(p.avgSize * 0.75);
      expect(mean).toBeLessThan(p.avgSize * 1.5);
    }
  });

  it('cuts data without any cut point (all zeros) at maxSize', () => {
    const ls = lengths(fastCdcBoundaries(Buffer.alloc(300_000)));
    expect(ls).toEqual([65536, 65536, 65536, 65536, 300_000 - 4 * 65536]);
  });

  it('changes only the chunks near an insertion', () => {
    const a = bytes(2 << 20, 11);
    const at = 1 << 20;
    const b = Buffer.concat([a.subarray(0, at), bytes(100, 99), a.subarray(at)]);
    const pieces = (d: Buffer) => {
      const ends = fastCdcBoundaries(d);
      return ends.map((e, i) => d.subarray(i === 0 ? 0 : ends[i - 1], e).toString('hex'));
    };
    const known = new Set(pieces(a));
    const fresh = pieces(b).filter((p) => !known.has(p));
    expect(fresh.length).toBeGreaterThan(0);
    expect(fresh.length).toBeLessThanOrEqual(2);
  });

  it('treats the end of the range as a cut: a short tail is one chunk', () => {
    const p = fastCdcParams();
    expect(fastCdcCut(bytes(5000), 0, 5000, p)).toBeLessThanOrEqual(5000);
    expect(fastCdcCut(bytes(4000), 0, 4000, p)).toBe(4000);
    expect(fastCdcCut(bytes(0), 0, 0, p)).toBe(0);
  });

  it('refuses sizes that do not rise or pass the 4 MiB chunk limit', () => {
    expect(() => fastCdcParams({ minSize: 8192, avgSize: 4096 })).toThrow(RangeError);
    expect(() => fastCdcParams({ maxSize: 8 << 20 })).toThrow(/chunk limit/);
    expect(() => fastCdcParams({ minSize: 10 })).toThrow(RangeError);
  });
});

// Changing these means a new chunking name: every stored manifest says "fastcdc-v1".
const PINNED_FIRST_ENDS = [18947, 25051, 41483, 65860, 74974, 96790, 114234, 132412];
const PINNED_COUNT = 57;
