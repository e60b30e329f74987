import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  it('lets a burst through, then refills at the rate', () => {
    const bucket = new TokenBucket(10, 5, 0);
    const taken = Array.from({ length: 8 }, () => bucket.take(0));
    expect(taken).toEqual([true, true, true, true, true, false, false, false]);
    expect(bucket.take(50)).toBe(false); // half a token
    expect(bucket.take(100)).toBe(true); // one token after 100 ms at 10/s
    expect(bucket.take(100)).toBe(false);
  });

  it('never holds more than the burst however long it waited', () => {
    const bucket = new TokenBucket(10, 3, 0);
    const taken = Array.from({ length: 5 }, () => bucket.take(60_000));
    expect(taken.filter(Boolean)).toHaveLength(3);
  });
});
