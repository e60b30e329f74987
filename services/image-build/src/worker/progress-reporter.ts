/** At most one progress event per phase this often; a phase change is sent at once. */
export const PROGRESS_EVERY_MS = 2_000;

type Send = (phase: string, percent: number, message: string) => Promise<unknown>;

/**
 * Throttles the builder's progress into events: a new phase goes out at once, changes within a
 * phase at most every PROGRESS_EVERY_MS (the latest one, after the wait). Sends happen one at a
 * time, in order, so each event's revision is above the one before.
 */
export class ProgressReporter {
  private lastPhase: string | undefined;
  private lastSentAt = 0;
  private latest: { phase: string; percent: number; message: string } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly send: Send,
    private readonly onError: (err: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {}

  report(phase: string, percent: number, message: string): void {
    if (this.closed) return;
    this.latest = { phase, percent, message };
    const wait = PROGRESS_EVERY_MS - (this.now() - this.lastSentAt);
    if (phase !== this.lastPhase || wait <= 0) {
      this.sendLatest();
      return;
    }
    this.timer ??= setTimeout(() => this.sendLatest(), wait);
  }

  /** Stops; resolves once what was being sent is sent (what waits is dropped). */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.chain;
  }

  private sendLatest(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const latest = this.latest;
    if (!latest || this.closed) return;
    this.latest = undefined;
    this.lastPhase = latest.phase;
    this.lastSentAt = this.now();
    this.chain = this.chain
      .then(() => this.send(latest.phase, latest.percent, latest.message))
      .then(
        () => undefined,
        (err: unknown) => this.onError(err),
      );
  }
}
