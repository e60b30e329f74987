import { z } from 'zod';
import { pageLimit } from './http-query.js';

/**
 * The position after the last row of a page ordered newest first: the row's time exactly as
 * PostgreSQL writes it (`created_at::text`, microseconds kept — a JavaScript Date would round
 * them and skip or repeat rows) and its id, for the tie-break. Opaque to clients (base64url).
 */
export interface TimeCursor {
  at: string;
  id: string;
}

const PG_TIMESTAMPTZ = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/;
const ROW_ID = /^[A-Za-z0-9-]{1,64}$/;

export function encodeTimeCursor(cursor: TimeCursor): string {
  return Buffer.from(`${cursor.at}|${cursor.id}`, 'utf8').toString('base64url');
}

/** `after` of a list newest first: a cursor the API handed out as `next`, checked, never trusted. */
export const timeCursor = z
  .string()
  .max(256)
  .transform((text, ctx): TimeCursor => {
    const [at, id, extra] = Buffer.from(text, 'base64url').toString('utf8').split('|');
    if (
      at === undefined ||
      id === undefined ||
      extra !== undefined ||
      !PG_TIMESTAMPTZ.test(at) ||
      !ROW_ID.test(id)
    ) {
      ctx.addIssue({ code: 'custom', message: 'must be the `next` value of a previous page' });
      return z.NEVER;
    }
    return { at, id };
  });

/** The query of a list newest first that takes only a page size and a cursor. */
export const timePageQuery = z.object({ limit: pageLimit, after: timeCursor.optional() }).strict();
export type TimePageQuery = z.infer<typeof timePageQuery>;

/**
 * `{ next }` when the page is full (there may be more): the `after` of the page that follows
 * its last row. `{}` otherwise.
 */
export function nextPage<R>(
  rows: readonly R[],
  limit: number,
  afterOf: (row: R) => string,
): { next?: string } {
  const last = rows.at(-1);
  return rows.length === limit && last !== undefined ? { next: afterOf(last) } : {};
}
