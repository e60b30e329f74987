import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  Controller,
  Get,
  Headers,
  HttpException,
  Inject,
  NotFoundException,
  Param,
  type BeforeApplicationShutdown,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { InvalidInputError, problemTypes } from '@muster/runtime';
import { BuildLogRepository, type BuildProgressView } from './build-log.repository.js';
import { buildIdParam, logQuery, TERMINAL_STATES, type LogQuery } from './builds.schemas.js';
import { SseWriter } from './sse-writer.js';

const POLL_MS = 500;
const PAGE = 1_000;
const HEARTBEAT_MS = 15_000;
/** Streams one instance serves at once; each polls the database twice a second. */
const MAX_STREAMS = 200;

/** A build's log as server-sent events: what is stored, from where the reader asks, then what comes. */
@Controller('v1/builds')
export class BuildLogController implements BeforeApplicationShutdown {
  private readonly active = new Set<AbortController>();

  constructor(@Inject(BuildLogRepository) private readonly logs: BuildLogRepository) {}

  /** A stream of a running build does not end by itself: on shutdown each one is ended (the reader resumes elsewhere). */
  beforeApplicationShutdown(): void {
    for (const stream of this.active) stream.abort();
  }

  /**
   * `event: log` (id = line number, data `{seq, at, line}`) for each line after `?after=` or
   * `Last-Event-ID`; `event: phase` (data `{phase, percent, message}`) when the build moves on;
   * `event: end` (data `{state}`) once the build has ended and every line has been sent.
   */
  @Get(':id/log')
  async stream(
    @Param('id', { schema: buildIdParam }) id: string,
    @Query({ schema: logQuery }) query: LogQuery,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() req: IncomingMessage,
    @Res() res: ServerResponse,
  ): Promise<void> {
    let after = query.after;
    if (after === undefined && lastEventId !== undefined) {
      if (!/^\d{1,10}$/.test(lastEventId.trim()))
        throw InvalidInputError.of(
          'Last-Event-ID',
          'header',
          'must be the id of a log event (a line number)',
        );
      after = Number(lastEventId.trim());
    }
    if (!(await this.logs.progress(id))) throw new NotFoundException(`no build ${id}`);
    if (this.active.size >= MAX_STREAMS) {
      res.setHeader('retry-after', '5');
      throw new HttpException(
        {
          type: problemTypes.unavailable,
          title: 'Service Unavailable',
          status: 503,
          detail: 'this instance serves as many log streams as it may; retry later',
        },
        503,
      );
    }
    const closed = new AbortController();
    this.active.add(closed);
    const stop = () => closed.abort();
    req.on('close', stop);
    res.on('close', stop);
    const writer = new SseWriter(res, closed.signal);
    try {
      writer.start(HEARTBEAT_MS);
      await this.follow(id, after ?? 0, writer, closed.signal);
    } finally {
      this.active.delete(closed);
      req.off('close', stop);
      res.off('close', stop);
      writer.end();
    }
  }

  private async follow(id: string, from: number, writer: SseWriter, closed: AbortSignal): Promise<void> {
    let after = from;
    let shown = '';
    const sendLines = async (): Promise<boolean> => {
      const lines = await this.logs.after(id, after, PAGE);
      for (const l of lines) await writer.send('log', { seq: l.seq, at: l.at, line: l.line }, String(l.seq));
      after = lines.at(-1)?.seq ?? after;
      return lines.length === PAGE;
    };
    while (!closed.aborted) {
      if (await sendLines()) continue;
      const view = await this.logs.progress(id);
      if (!view) return;
      const key = phaseKey(view);
      if (key !== shown) {
        shown = key;
        await writer.send('phase', { phase: view.phase, percent: view.percent, message: view.message ?? '' });
      }
      if (TERMINAL_STATES.includes(view.state)) {
        // Lines are stored before the build ends: what is left is read before `end`.
        while (!closed.aborted && (await sendLines()));
        await writer.send('end', { state: view.state });
        return;
      }
      await sleep(POLL_MS, closed);
    }
  }
}

const phaseKey = (v: BuildProgressView): string => `${v.phase}|${v.percent}|${v.message ?? ''}`;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
