import type { IncomingMessage, ServerResponse } from 'node:http';
import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { contractBySubject, fleetEventStreams } from '@muster/contracts';
import { BusConnection, StreamTail, type TailStart } from '@muster/messaging';
import { toCloudEvent } from './cloud-event.js';
import { encodeCursor, type EventCursor } from './event-cursor.js';
import { siteOf, type StreamPlan } from './event-selection.js';
import { FLEET_EVENTS_SETTINGS, type FleetEventsSettings } from './fleet-events.config.js';
import { SseWriter } from './sse-writer.js';

/** Where a connection starts: after an event id (its cursor), from a time, or from now. */
export interface StreamStart {
  cursor?: EventCursor;
  since?: Date;
}

/**
 * Streams fleet events to server-sent-event connections: one ordered consumer per stream and
 * connection, deleted when the connection closes. The number of connections an instance serves
 * is capped (`MUSTER_EVENTS_MAX_STREAMS`); the count is per instance, like the HTTP rate limit.
 */
@Injectable()
export class EventStreamService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('FleetEvents');
  private open = 0;
  private readonly active = new Set<AbortController>();

  constructor(
    @Inject(BusConnection) private readonly bus: BusConnection,
    @Inject(FLEET_EVENTS_SETTINGS) private readonly settings: FleetEventsSettings,
  ) {}

  /**
   * A stream never ends by itself: on shutdown each one is ended, so the server can stop, and
   * its client resumes elsewhere with Last-Event-ID.
   */
  beforeApplicationShutdown(): void {
    for (const abort of this.active) abort.abort();
  }

  /** Takes a connection slot, or false when the instance serves as many as it may. */
  tryAcquire(): boolean {
    if (this.open >= this.settings.maxStreams) return false;
    this.open++;
    return true;
  }

  release(): void {
    this.open = Math.max(0, this.open - 1);
  }

  /** Opens one tail per stream (throws before anything is written if the bus refuses). */
  async openTails(
    plans: readonly StreamPlan[],
    start: StreamStart,
  ): Promise<{ tails: StreamTail[]; cursor: EventCursor }> {
    const cursor: EventCursor = {};
    const tails: StreamTail[] = [];
    try {
      for (const plan of plans) {
        const from = await this.startOf(plan.stream, start);
        cursor[plan.stream] = 'since' in from ? { since: from.since.getTime() } : { seq: from.afterSeq };
        tails.push(
          await StreamTail.open(this.bus, {
            stream: plan.stream,
            ...(plan.filterSubject ? { filterSubject: plan.filterSubject } : {}),
            start: from,
          }),
        );
      }
    } catch (err) {
      await Promise.all(tails.map((t) => t.close()));
      throw err;
    }
    return { tails, cursor: orderedCursor(cursor) };
  }

  /** Writes events until the client goes away or a tail fails; then closes every consumer. */
  async serve(
    plans: readonly StreamPlan[],
    opened: { tails: StreamTail[]; cursor: EventCursor },
    site: string | undefined,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const abort = new AbortController();
    this.active.add(abort);
    const stop = () => abort.abort();
    req.on('close', stop);
    res.on('close', stop);
    const writer = new SseWriter(res, abort.signal);
    const cursor = opened.cursor;
    abort.signal.addEventListener('abort', () => void Promise.all(opened.tails.map((t) => t.close())), {
      once: true,
    });
    writer.start(this.settings.heartbeatSeconds * 1000);
    try {
      await Promise.all(
        opened.tails.map(async (tail, i) => {
          const plan = plans[i]!;
          for await (const m of tail.messages()) {
            if (abort.signal.aborted) break;
            const contract = contractBySubject(m.subject);
            if (!contract || !plan.contracts.includes(contract)) continue;
            if (site !== undefined && siteOf(contract, m.subject) !== site) continue;
            let json: string;
            try {
              json = JSON.stringify(toCloudEvent(m, contract));
            } catch (err) {
              this.logger.warn(`skipping ${m.stream} #${m.seq} (${m.subject}): ${(err as Error).message}`);
              continue;
            }
            await writer.send(() => {
              cursor[plan.stream] = { seq: m.seq };
              return encodeCursor(cursor);
            }, json);
          }
        }),
      );
    } catch (err) {
      if (!abort.signal.aborted) {
        this.logger.warn(
          `event stream ended: ${(err as Error).message}; the client resumes with Last-Event-ID`,
        );
      }
    } finally {
      abort.abort();
      this.active.delete(abort);
      req.off('close', stop);
      writer.end();
    }
  }

  private async startOf(stream: string, start: StreamStart): Promise<TailStart> {
    const at = start.cursor?.[stream as keyof EventCursor];
    if (at) return 'seq' in at ? { afterSeq: at.seq } : { since: new Date(at.since) };
    if (start.since && !start.cursor) return { since: start.since };
    // From now: after the stream's last sequence, so the first id already says where we stand.
    return { afterSeq: await StreamTail.lastSeq(this.bus, stream) };
  }
}

/** The cursor's streams always in the same order, so the same position is the same id. */
function orderedCursor(cursor: EventCursor): EventCursor {
  const out: EventCursor = {};
  for (const s of fleetEventStreams) if (cursor[s]) out[s] = cursor[s];
  return out;
}
