/** A source of uniform numbers in [0, 1): Math.random in production, a fixed sequence in tests. */
export type RandomSource = () => number;

export interface BackoffPolicy {
  /** The first ceiling, in ms. */
  readonly baseMs: number;
  /** No ceiling grows past this, in ms. */
  readonly capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 500, capMs: 60_000 };

/**
 * "Full jitter" exponential back-off: the n-th retry (n from 0) waits a uniform time in
 * [0, min(cap, base · 2ⁿ)). Spreading every wait over the whole window is what keeps tens of
 * thousands of agents that lost one gateway from all arriving at the next one in the same
 * instant. `floorMs` (a gateway's retry_after / reconnect_after) is added in front: never sooner
 * than that, then jittered.
 */
export function backoffDelay(
  attempt: number,
  random: RandomSource,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  floorMs = 0,
): number {
  const exponent = Math.min(Math.max(0, Math.floor(attempt)), 52);
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
  const r = random();
  const unit = r >= 0 && r < 1 ? r : 0;
  return Math.max(0, floorMs) + Math.floor(unit * ceiling);
}
