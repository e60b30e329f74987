import type { IncomingMessage, ServerResponse } from 'node:http';
import { Controller, Get, Headers, HttpException, Inject, Query, Req, Res } from '@nestjs/common';
import { fleetEventStreams } from '@muster/contracts';
import { InvalidInputError, problemTypes } from '@muster/runtime';
import { decodeCursor, InvalidCursorError, type EventCursor } from './event-cursor.js';
import { InvalidSelectionError, planStreams, type StreamPlan } from './event-selection.js';
import { EventStreamService } from './event-stream.service.js';
import { eventsQuery, type EventsQuery } from './events-query.schema.js';

/** The fleet's events as server-sent events, each a CloudEvents JSON document. */
@Controller('v1/events')
export class EventsController {
  constructor(@Inject(EventStreamService) private readonly streams: EventStreamService) {}

  @Get()
  async stream(
    @Query({ schema: eventsQuery }) query: EventsQuery,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() req: IncomingMessage,
    @Res() res: ServerResponse,
  ): Promise<void> {
    let plans: StreamPlan[];
    try {
      plans = planStreams({
        ...(query.types ? { types: query.types } : {}),
        ...(query.site ? { site: query.site } : {}),
      });
    } catch (err) {
      if (err instanceof InvalidSelectionError) throw InvalidInputError.of(err.field, 'query', err.message);
      throw err;
    }
    const resumeFrom = query.after ?? lastEventId;
    let cursor: EventCursor | undefined;
    if (resumeFrom !== undefined) {
      try {
        cursor = decodeCursor(resumeFrom, fleetEventStreams);
      } catch (err) {
        if (!(err instanceof InvalidCursorError)) throw err;
        throw InvalidInputError.of(
          query.after !== undefined ? 'after' : 'Last-Event-ID',
          query.after !== undefined ? 'query' : 'header',
          err.message,
        );
      }
    }
    if (!this.streams.tryAcquire()) {
      res.setHeader('retry-after', '5');
      throw new HttpException(
        {
          type: problemTypes.unavailable,
          title: 'Service Unavailable',
          status: 503,
          detail: 'this instance serves as many event streams as it may; retry later',
        },
        503,
      );
    }
    try {
      const opened = await this.streams.openTails(plans, {
        ...(cursor ? { cursor } : {}),
        ...(query.since ? { since: new Date(query.since) } : {}),
      });
      await this.streams.serve(plans, opened, query.site, req, res);
    } finally {
      this.streams.release();
    }
  }
}
