import { ServerStartError } from '../errors.js';
import type { ServerProcess } from './managed-process.js';

export interface WaitReadyOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Fail at once, with its log, if one of these exits while we wait. */
  processes: readonly ServerProcess[];
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns true; a dead process or the deadline ends it with a ServerStartError. */
export async function waitReady(
  server: string,
  probe: () => Promise<boolean>,
  options: WaitReadyOptions,
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 25;
  let lastError: unknown;
  for (;;) {
    const dead = options.processes.find((p) => p.exitInfo !== undefined);
    if (dead) {
      throw new ServerStartError(
        server,
        `${dead.name} ${dead.describeExit()} (log: ${dead.logFile})`,
        await dead.logTail(),
      );
    }
    try {
      if (await probe()) return;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const tails = await Promise.all(
        options.processes.map(async (p) => `[${p.name}]\n${await p.logTail(20)}`),
      );
      const why = lastError instanceof Error ? ` (last probe error: ${lastError.message})` : '';
      throw new ServerStartError(server, `not ready within ${options.timeoutMs} ms${why}`, tails.join('\n'));
    }
    await sleep(interval);
  }
}
