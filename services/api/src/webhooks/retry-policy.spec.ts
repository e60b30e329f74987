import { describe, expect, it } from 'vitest';
import { nextAttemptDelay } from './retry-policy.js';

const policy = { baseMs: 1_000, maxMs: 60_000, maxAttempts: 5, maxAgeMs: 3_600_000 };

describe('nextAttemptDelay', () => {
  it('doubles the ceiling per attempt up to the cap, with the delay drawn below it (full jitter)', () => {
    expect(nextAttemptDelay(policy, 1, 0, () => 0.999999)).toBe(999);
    expect(nextAttemptDelay(policy, 3, 0, () => 0.999999)).toBe(3_999);
    expect(nextAttemptDelay({ ...policy, maxAttempts: 50 }, 20, 0, () => 0.999999)).toBe(59_999);
    expect(nextAttemptDelay(policy, 3, 0, () => 0)).toBe(0);
    expect(nextAttemptDelay(policy, 2, 0, () => 0.5)).toBe(1_000);
  });

  it('gives up once the attempts are spent or the next try would pass the maximum age', () => {
    expect(nextAttemptDelay(policy, 5, 0, () => 0.5)).toBeUndefined();
    expect(nextAttemptDelay(policy, 4, 0, () => 0.5)).toBe(4_000);
    expect(nextAttemptDelay(policy, 2, 3_600_000 - 10, () => 0.5)).toBeUndefined();
  });
});
