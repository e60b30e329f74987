import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter.js';

describe('RateLimiter', () => {
  it('admits a burst, then one request per refill, per key', () => {
    let now = 0;
    const limiter = new RateLimiter({ perMinute: 60, burst: 2, now: () => now });
    expect(limiter.take('a').ok).toBe(true);
    expect(limiter.take('a').ok).toBe(true);
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(limiter.take('b').ok).toBe(true);
    now += 1000;
    expect(limiter.take('a').ok).toBe(true);
    expect(limiter.take('a').ok).toBe(false);
  });

  it('forgets full buckets first when it holds too many keys', () => {
    let now = 0;
    const limiter = new RateLimiter({ perMinute: 60, burst: 1, maxKeys: 2, now: () => now });
    limiter.take('busy');
    now += 1000; // "busy" is full again; "fresh" is not
    limiter.take('fresh');
    limiter.take('third');
    expect(limiter.size()).toBe(2);
    // "fresh" was kept: it is still empty and refused.
    expect(limiter.take('fresh').ok).toBe(false);
  });
});
