import type { JetStreamManager } from '@nats-io/jetstream';
import type { StreamSpec } from '@muster/contracts';
import { liveConfig } from './stream-setup.js';

export interface WaitForStreamsOptions {
  /** Told once per stream that is not there yet. */
  onWait?: (stream: string) => void;
  /** Back-off between looks, by attempt; the last one repeats. */
  delaysMs?: readonly number[];
  /** Stops waiting (the service is stopping). */
  signal?: AbortSignal;
}

/**
 * Waits until each stream exists. A service only reads the streams it consumes from without
 * producing into them: their producers create them and own their limits (its NATS user may
 * only look them up), so a consumer that starts first waits for them instead of failing.
 */
export async function waitForStreams(
  jsm: JetStreamManager,
  specs: readonly StreamSpec[],
  options: WaitForStreamsOptions = {},
): Promise<void> {
  const delays = options.delaysMs ?? [100, 250, 500, 1_000, 2_000, 5_000];
  for (const spec of specs) {
    for (let attempt = 0; (await liveConfig(jsm, spec.name)) === undefined; attempt++) {
      if (attempt === 0) options.onWait?.(spec.name);
      options.signal?.throwIfAborted();
      await new Promise((resolve) => setTimeout(resolve, delays[Math.min(attempt, delays.length - 1)]));
    }
  }
}
