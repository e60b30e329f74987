import { ApiError, UnreachableError } from '../http/api-client.js';
import type { PhaseEvent } from '../output/progress.js';
import { SseParser } from '../sse/sse-parser.js';
import { type CommandContext, seg } from './context.js';

export interface LogEvent {
  seq: number;
  at: string;
  line: string;
}

/** What a build's log stream says, as it says it. */
export interface BuildLogSink {
  log(event: LogEvent): void;
  phase(event: PhaseEvent): void;
}

export const TERMINAL_STATES: ReadonlySet<string> = new Set(['succeeded', 'failed', 'cancelled']);

/**
 * Without --follow, a build still running is read until its stream has been quiet this long:
 * the contract has no "caught up" event, and the server sends what it has at once.
 */
const CAUGHT_UP_QUIET_MS = 1_000;
const RETRY_MS = [500, 1_000, 2_000, 5_000, 10_000];

/** A stream that breaks the contract: retrying would read the same bytes again. */
class BadStreamError extends Error {
  override readonly name = 'BadStreamError';
}

/** The connection went away in the middle of the stream (a restart, a proxy timeout). */
class DroppedError extends Error {
  override readonly name = 'DroppedError';
}

/**
 * Reads `GET /v1/builds/{id}/log` into `sink` until its `end` event, and resolves with the
 * state it names. A dropped stream is opened again with `Last-Event-ID`, so no line is missed or
 * printed twice. Resolves undefined on Ctrl-C, or, with `untilQuiet`, once the stream has been
 * quiet (the log so far of a build still running).
 */
export async function readBuildLog(
  ctx: CommandContext,
  buildId: string,
  sink: BuildLogSink,
  options: { untilQuiet?: boolean } = {},
): Promise<string | undefined> {
  let lastId: string | undefined;
  let failures = 0;
  while (!ctx.io.signal.aborted) {
    const abort = new AbortController();
    const stop = () => abort.abort();
    ctx.io.signal.addEventListener('abort', stop, { once: true });
    let quiet = false;
    let timer: NodeJS.Timeout | undefined;
    const rearm = () => {
      if (!options.untilQuiet) return;
      clearTimeout(timer);
      timer = setTimeout(() => ((quiet = true), abort.abort()), CAUGHT_UP_QUIET_MS);
    };
    try {
      const res = await ctx.client.open('GET', `/v1/builds/${seg(buildId)}/log`, {
        headers: { accept: 'text/event-stream', ...(lastId ? { 'last-event-id': lastId } : {}) },
        signal: abort.signal,
      });
      failures = 0;
      rearm();
      const parser = new SseParser();
      const decoder = new TextDecoder();
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      for (;;) {
        const chunk = await reader.read().catch((err: unknown) => {
          if (abort.signal.aborted) throw err;
          throw new DroppedError(`the connection dropped (${(err as Error).message})`);
        });
        if (chunk.done) break;
        rearm();
        for (const event of parser.push(decoder.decode(chunk.value, { stream: true }))) {
          const data = parse(event.data);
          if (event.event === 'log') sink.log(data as unknown as LogEvent);
          else if (event.event === 'phase') sink.phase(data as unknown as PhaseEvent);
          else if (event.event === 'end')
            return typeof data['state'] === 'string' ? data['state'] : 'unknown';
          // Only once the event is handled: a reconnect resumes after it.
          if (event.id) lastId = event.id;
        }
      }
      // The server closed the stream before the end (a restart): resume where we were.
    } catch (err) {
      if (quiet) return undefined;
      if (ctx.io.signal.aborted) return undefined;
      if (err instanceof ApiError && err.status < 500 && err.status !== 429) throw err;
      // Anything else (a stream that breaks the contract, a bug) is not cured by retrying.
      if (!(err instanceof ApiError || err instanceof UnreachableError || err instanceof DroppedError))
        throw err;
      failures++;
      ctx.note(`log of build ${buildId}: ${(err as Error).message}; reconnecting`);
    } finally {
      clearTimeout(timer);
      ctx.io.signal.removeEventListener('abort', stop);
      abort.abort(); // the connection goes, whatever ended the read
    }
    await pause(RETRY_MS[Math.min(failures, RETRY_MS.length - 1)]!, ctx.io.signal);
  }
  return undefined;
}

function parse(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value === 'object' && value !== null) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new BadStreamError(
    `the build log stream sent an event that is not a JSON object: ${text.slice(0, 200)}`,
  );
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms * (0.5 + Math.random() / 2));
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}
