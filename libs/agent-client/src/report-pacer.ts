/** How fast an agent sends reports, and how many may wait for their acknowledgement at once. */
export interface FlowOptions {
  /** Reports per second on average. Default 10: half the gateway's default allowance (20/s). */
  readonly ratePerSecond?: number;
  /** Reports sent back to back before the average applies. Default 20 (the gateway allows 100). */
  readonly burst?: number;
  /** Reports sent and not yet acknowledged on one connection. Default 32. */
  readonly maxInFlight?: number;
  /**
   * A report unacknowledged this long means the connection is stuck: it is closed and everything
   * unacknowledged is resent on the next one. Default 30 s.
   */
  readonly ackTimeoutMs?: number;
}

export const DEFAULT_FLOW = { ratePerSecond: 10, burst: 20, maxInFlight: 32, ackTimeoutMs: 30_000 } as const;

/**
 * A token bucket for an agent's reports. A gateway drops frames over its allowance; an agent that
 * resends a backlog after a reconnect must not send it in one burst, or every reconnect ends the
 * same way. A SlowDown lowers the rate to its min_report_interval, with no burst.
 */
export class ReportPacer {
  private rate: number;
  private burst: number;
  private tokens: number;
  private refilledAt: number;

  constructor(
    options: FlowOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.rate = options.ratePerSecond ?? DEFAULT_FLOW.ratePerSecond;
    this.burst = options.burst ?? DEFAULT_FLOW.burst;
    if (!(this.rate > 0) || !(this.burst >= 1)) throw new RangeError('report rate must be > 0 and burst ≥ 1');
    this.tokens = this.burst;
    this.refilledAt = this.now();
  }

  /** Milliseconds until a report may be sent (0: now). */
  delay(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.rate) * 1000);
  }

  /** One report sent. */
  take(): void {
    this.refill();
    this.tokens -= 1;
  }

  /** The gateway asked for at most one report per `minIntervalMs`. */
  slowDown(minIntervalMs: number): void {
    if (minIntervalMs <= 0) return;
    this.refill();
    this.rate = Math.min(this.rate, 1000 / minIntervalMs);
    this.burst = 1;
    this.tokens = Math.min(this.tokens, 1);
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) / 1000) * this.rate);
    this.refilledAt = now;
  }
}
