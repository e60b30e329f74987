import type { DependencyProbe } from '../consumer-options.js';
import { isDependencyFailure } from '../dependency-failure.js';
import { pause } from './signal.js';

const PROBE_TIMEOUT_MS = 5_000;

/** Decides whether a handler failure is an outage, and waits for the end of one. */
export class DependencyGate {
  constructor(
    private readonly probes: readonly DependencyProbe[],
    private readonly backoffMs: readonly number[],
    private readonly abort: AbortSignal,
  ) {}

  /**
   * Why this failure is an outage (what is down), or undefined when every dependency answers
   * and the error does not name one: then it is the message's fault and costs an attempt.
   */
  async diagnose(err: unknown): Promise<string | undefined> {
    const down = await this.down();
    if (down.length > 0) return `${down.join(', ')} unavailable`;
    if (isDependencyFailure(err)) return err instanceof Error ? err.message : String(err);
    return undefined;
  }

  /**
   * Pauses with back-off and returns once every probe answers (at least one pause, so that an
   * error that named a dependency the probes do not cover is retried at a measured pace).
   */
  async waitForRecovery(): Promise<void> {
    for (let step = 0; !this.abort.aborted; step++) {
      await pause(this.backoffMs[Math.min(step, this.backoffMs.length - 1)] ?? 1_000, this.abort);
      if ((await this.down()).length === 0) return;
    }
  }

  /** Names of the probes that do not answer (a probe that hangs counts as down). */
  async down(): Promise<string[]> {
    const results = await Promise.all(
      this.probes.map(async (p) => ((await answers(p)) ? undefined : p.name)),
    );
    return results.filter((name): name is string => name !== undefined);
  }
}

async function answers(probe: DependencyProbe): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([probe.check().catch(() => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
