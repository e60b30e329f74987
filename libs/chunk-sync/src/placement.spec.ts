import { describe, expect, it } from 'vitest';
import { manifestOf, sha256Hex } from '@muster/chunks';
import { Placement } from './placement.js';
import { groupChunks } from './sync-plan.js';

const id = (n: number): string => sha256Hex(Buffer.from([n]));
const m = manifestOf('fastcdc-v1', id(0), [
  { sha256: id(1), length: 10, storedLength: 1 },
  { sha256: id(2), length: 20, storedLength: 1 },
  { sha256: id(1), length: 10, storedLength: 1 },
]);
const [one, two] = groupChunks(m);

describe('Placement', () => {
  it('counts done and reused bytes as ranges turn good or bad', () => {
    const p = new Placement(m);
    p.markGood(0, '/seed');
    p.markGood(1, undefined);
    expect([p.doneBytes, p.reusedBytes]).toEqual([30, 10]);
    p.markGood(0, '/seed');
    expect([p.doneBytes, p.reusedBytes]).toEqual([30, 10]);
    p.markBad(0);
    p.markBad(0);
    expect([p.doneBytes, p.reusedBytes]).toEqual([20, 0]);
  });

  it('tells absent, partial and complete chunks apart', () => {
    const p = new Placement(m);
    expect(p.absent([one!, two!])).toEqual([one, two]);
    p.markGood(2, '/target');
    expect(p.absent([one!, two!])).toEqual([two]);
    expect(p.goodIndexOf(one!)).toBe(2);
    expect(p.isComplete(one!)).toBe(false);
    p.markGood(0, undefined);
    expect(p.isComplete(one!)).toBe(true);
    expect(p.goodIndexes()).toEqual([0, 2]);
    expect(p.reusedByPath()).toEqual({ chunks: 1, byPath: { '/target': 10 } });
  });
});
