import { Command } from 'commander';
import { collectList, parseTime } from '../flags/flag-parsers.js';
import { ApiError } from '../http/api-client.js';
import { SseParser } from '../sse/sse-parser.js';
import { cellText, truncate } from '../output/table.js';
import { CommandContext, defined, type CliIo } from './context.js';

interface CloudEvent {
  id?: string;
  type?: string;
  source?: string;
  subject?: string;
  time?: string;
  data?: unknown;
}

/** One line for people: time, type (without `io.muster.`), subject, then the data, cut. */
export function eventLine(event: CloudEvent): string {
  const type = (event.type ?? '?').replace(/^io\.muster\./, '');
  const data = event.data === undefined ? '' : JSON.stringify(event.data);
  return [event.time ?? '-', type, event.subject ?? '-', truncate(cellText(data), 120)].join('  ');
}

interface TailOptions {
  types?: string[];
  site?: string;
  since?: string;
  after?: string;
}

const RETRY_MS = [500, 1_000, 2_000, 5_000, 10_000];

/**
 * `events tail`: the fleet's events as they happen (GET /v1/events, server-sent events). On a
 * dropped connection it reconnects with `Last-Event-ID`, so no event is missed or repeated; it
 * stops on Ctrl-C, or on an answer that retrying cannot fix (a bad filter, a refused token).
 */
export function eventsCommand(io: CliIo): Command {
  const events = new Command('events').description('the fleet’s events (CloudEvents)');
  events
    .command('tail')
    .description('follow events as they happen; --since replays from a time')
    .option(
      '--types <types>',
      'CloudEvents types, comma list; a trailing * is a prefix (io.muster.inventory.*)',
      collectList,
    )
    .option('--site <siteId>', 'only events of this site')
    .option('--since <time>', 'replay from this time (RFC 3339, or an age: 30m, 2h, 7d)', (v: string) =>
      parseTime(v),
    )
    .option('--after <eventId>', 'resume after this event id (an SSE id printed with --json)')
    .action(async (o: TailOptions, cmd: Command) => {
      const ctx = CommandContext.of(io, cmd);
      await tail(ctx, o);
    });
  return events;
}

async function tail(ctx: CommandContext, o: TailOptions): Promise<void> {
  let lastId = o.after;
  let failures = 0;
  const query = defined({ types: o.types?.join(','), site: o.site });
  while (!ctx.io.signal.aborted) {
    try {
      const res = await ctx.client.open('GET', '/v1/events', {
        query: lastId ? query : { ...query, ...(o.since ? { since: o.since } : {}) },
        headers: { accept: 'text/event-stream', ...(lastId ? { 'last-event-id': lastId } : {}) },
        signal: ctx.io.signal,
      });
      failures = 0;
      const parser = new SseParser();
      const decoder = new TextDecoder();
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        for (const event of parser.push(decoder.decode(chunk, { stream: true }))) {
          if (event.id) lastId = event.id;
          if (event.event && event.event !== 'message') continue;
          const parsed = JSON.parse(event.data) as CloudEvent;
          ctx.out(
            ctx.json
              ? JSON.stringify({ ...parsed, ...(event.id ? { sseId: event.id } : {}) })
              : eventLine(parsed),
          );
        }
      }
      // The server ended the stream (a restart, a deploy): resume where we were.
    } catch (err) {
      if (ctx.io.signal.aborted || (err as Error).name === 'AbortError') return;
      if (err instanceof ApiError && err.status < 500 && err.status !== 429) throw err;
      failures++;
      ctx.note(`events: ${(err as Error).message}; reconnecting`);
    }
    await new Promise((resolve) => {
      const timer = setTimeout(
        resolve,
        RETRY_MS[Math.min(failures, RETRY_MS.length - 1)]! * (0.5 + Math.random() / 2),
      );
      ctx.io.signal.addEventListener('abort', () => (clearTimeout(timer), resolve(undefined)), {
        once: true,
      });
    });
  }
}
