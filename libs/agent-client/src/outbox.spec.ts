import { describe, expect, it } from 'vitest';
import { Outbox, OutboxFullError } from './outbox.js';

const entry = (seq: number) => ({ seq: BigInt(seq), frame: new Uint8Array([seq]) });

describe('Outbox', () => {
  it('keeps reports in seq order until each is settled', () => {
    const box = new Outbox(10);
    [1, 2, 3, 4].forEach((s) => box.add(entry(s)));
    expect(box.settle(2n)).toBe(true);
    expect(box.settle(2n)).toBe(false);
    expect(box.list().map((e) => e.seq)).toEqual([1n, 3n, 4n]);
  });

  it('settles everything at or below a seq at once (a Welcome’s last_seq)', () => {
    const box = new Outbox(10);
    [3, 5, 7, 9].forEach((s) => box.add(entry(s)));
    expect(box.settleThrough(7n)).toEqual([3n, 5n, 7n]);
    expect(box.list().map((e) => e.seq)).toEqual([9n]);
  });

  it('is bounded: a report past capacity is refused, and room comes back when one settles', () => {
    const box = new Outbox(2);
    box.add(entry(1));
    box.add(entry(2));
    expect(() => box.add(entry(3))).toThrow(OutboxFullError);
    expect(box.size).toBe(2);
    box.settle(1n);
    box.add(entry(3));
    expect(box.list().map((e) => e.seq)).toEqual([2n, 3n]);
  });

  it('refuses a seq that does not increase', () => {
    const box = new Outbox(5);
    box.add(entry(4));
    expect(() => box.add(entry(4))).toThrow(RangeError);
    expect(() => box.add(entry(2))).toThrow(RangeError);
  });
});
