import { z } from 'zod';

/** `GET /v1/events`: what to stream and from where. */
export const eventsQuery = z
  .object({
    /** CloudEvents types, comma-separated; a trailing `*` makes a prefix. */
    types: z
      .string()
      .max(4096)
      .transform((t) =>
        t
          .split(',')
          .map((x) => x.trim())
          .filter((x) => x.length > 0),
      )
      .optional(),
    site: z.string().max(128).optional(),
    /** Replay from this time (RFC 3339). */
    since: z.iso.datetime({ offset: true, error: 'must be an RFC 3339 time' }).optional(),
    /** Resume after this event id (the SSE `id:`), as `Last-Event-ID` does. */
    after: z.string().max(1024).optional(),
  })
  .strict();
export type EventsQuery = z.infer<typeof eventsQuery>;
