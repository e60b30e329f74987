export interface RateLimiterOptions {
  /** Tokens added per minute, per key. */
  readonly perMinute: number;
  /** Most tokens a key can hold: how many requests may arrive at once. */
  readonly burst: number;
  /** Most keys remembered; past it, full buckets are forgotten first (default 100,000). */
  readonly maxKeys?: number;
  readonly now?: () => number;
}

export type RateDecision = { readonly ok: true } | { readonly ok: false; readonly retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per key (a client address). It lives in one process: with N instances behind
 * a load balancer a client may send up to N times the configured rate in all.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(private readonly options: RateLimiterOptions) {
    this.perMs = options.perMinute / 60_000;
    this.maxKeys = options.maxKeys ?? 100_000;
    this.now = options.now ?? Date.now;
  }

  take(key: string): RateDecision {
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (bucket) {
      bucket.tokens = Math.min(this.options.burst, bucket.tokens + (now - bucket.at) * this.perMs);
      bucket.at = now;
    } else {
      this.makeRoom(now);
      bucket = { tokens: this.options.burst, at: now };
      this.buckets.set(key, bucket);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    const wait = this.perMs > 0 ? (1 - bucket.tokens) / this.perMs : Number.POSITIVE_INFINITY;
    return { ok: false, retryAfterSeconds: Math.min(3600, Math.max(1, Math.ceil(wait / 1000))) };
  }

  size(): number {
    return this.buckets.size;
  }

  private makeRoom(now: number): void {
    if (this.buckets.size < this.maxKeys) return;
    for (const [key, b] of this.buckets) {
      if (b.tokens + (now - b.at) * this.perMs >= this.options.burst) this.buckets.delete(key);
    }
    // Every bucket is in use: forget the oldest key (it starts again with a full bucket).
    if (this.buckets.size >= this.maxKeys) {
      const oldest = this.buckets.keys().next();
      if (!oldest.done) this.buckets.delete(oldest.value);
    }
  }
}
