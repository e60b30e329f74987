/** Resolves (to anything but `false`) when the dependency is usable. */
export type ReadinessCheck = () => Promise<boolean | void> | boolean | void;

export interface ReadinessCheckResult {
  readonly name: string;
  readonly ok: boolean;
  readonly reason?: string;
  readonly durationMs: number;
}

export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: readonly ReadinessCheckResult[];
}

export interface ReadinessOptions {
  /** How long one check may take before it counts as failing; default 2000 ms. */
  readonly timeoutMs?: number;
}

interface Registered {
  readonly check: ReadinessCheck;
  readonly timeoutMs: number;
  /** A check still running from an earlier probe is awaited again, not started twice. */
  inflight?: Promise<boolean>;
}

/**
 * Named readiness checks that modules register at run time (messaging registers "nats",
 * persistence "postgres"). The process is ready when every check passes in time.
 */
export class ReadinessRegistry {
  private readonly checks = new Map<string, Registered>();
  private readonly timeoutMs: number;
  private shuttingDown = false;

  constructor(options: ReadinessOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 2000;
  }

  /** Returns a function that removes the check. */
  register(name: string, check: ReadinessCheck, options: ReadinessOptions = {}): () => void {
    if (this.checks.has(name)) throw new Error(`readiness check "${name}" is already registered`);
    const entry: Registered = { check, timeoutMs: options.timeoutMs ?? this.timeoutMs };
    this.checks.set(name, entry);
    return () => {
      if (this.checks.get(name) === entry) this.checks.delete(name);
    };
  }

  names(): string[] {
    return [...this.checks.keys()];
  }

  /** From now on the process reports not ready, so that traffic drains before it stops. */
  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  /**
   * Runs one registered check (with its timeout), e.g. for a consumer that asks whether a
   * handler failed because its database is down. An unknown name fails.
   */
  async check(name: string): Promise<ReadinessCheckResult> {
    const entry = this.checks.get(name);
    if (!entry) return { name, ok: false, reason: 'no such check', durationMs: 0 };
    return this.run(name, entry);
  }

  async evaluate(): Promise<ReadinessReport> {
    const checks = await Promise.all([...this.checks].map(([name, entry]) => this.run(name, entry)));
    if (this.shuttingDown)
      checks.push({ name: 'shutdown', ok: false, reason: 'shutting down', durationMs: 0 });
    return { ready: checks.every((c) => c.ok), checks };
  }

  private async run(name: string, entry: Registered): Promise<ReadinessCheckResult> {
    const started = performance.now();
    const result = (ok: boolean, reason?: string): ReadinessCheckResult => ({
      name,
      ok,
      ...(reason === undefined ? {} : { reason }),
      durationMs: Math.round(performance.now() - started),
    });
    entry.inflight ??= Promise.resolve()
      .then(entry.check)
      .then((value) => value !== false)
      .finally(() => {
        entry.inflight = undefined;
      });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), entry.timeoutMs);
    });
    try {
      const outcome = await Promise.race([entry.inflight, timeout]);
      if (outcome === 'timeout') return result(false, `timed out after ${entry.timeoutMs} ms`);
      return outcome ? result(true) : result(false, 'check returned false');
    } catch (err) {
      return result(false, err instanceof Error ? err.message : String(err));
    } finally {
      clearTimeout(timer);
    }
  }
}
