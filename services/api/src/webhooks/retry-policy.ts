/** When a failed delivery is tried again, and when it is given up. */
export interface RetryPolicy {
  baseMs: number;
  maxMs: number;
  maxAttempts: number;
  maxAgeMs: number;
}

/**
 * Exponential back-off with full jitter (a uniform delay between 0 and min(max, base·2^(n-1))
 * after the n-th failed attempt), so receivers that come back are not hit by every sender at
 * once. `undefined`: give up — the attempts or the age are spent.
 */
export function nextAttemptDelay(
  policy: RetryPolicy,
  attemptsMade: number,
  ageMs: number,
  random: () => number = Math.random,
): number | undefined {
  if (attemptsMade >= policy.maxAttempts) return undefined;
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attemptsMade - 1, 40));
  const delay = Math.floor(random() * ceiling);
  if (ageMs + delay > policy.maxAgeMs) return undefined;
  return delay;
}
