import { describe, expect, it } from 'vitest';
import { encodeTimeCursor, nextPage, timeCursor, timePageQuery } from './page-cursor.js';

describe('time cursors', () => {
  const cursor = { at: '2026-11-30 08:12:47.123456+00', id: '0b8a7f1e-4c1d-4a53-9d0e-3c2f7a1b9e10' };

  it('round-trip the time to the microsecond and the id', () => {
    expect(timeCursor.parse(encodeTimeCursor(cursor))).toEqual(cursor);
  });

  it.each([
    ['not base64 of a cursor', 'hello'],
    ['a time PostgreSQL did not write', Buffer.from(`yesterday|${cursor.id}`).toString('base64url')],
    ['an id with SQL in it', Buffer.from(`${cursor.at}|x'; DROP TABLE build; --`).toString('base64url')],
    ['an extra part', Buffer.from(`${cursor.at}|${cursor.id}|x`).toString('base64url')],
  ])('refuse %s', (_, text) => {
    const result = timeCursor.safeParse(text);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/`next` value of a previous page/);
  });

  it('give a next page only when the page is full', () => {
    const rows = [cursor, cursor];
    expect(nextPage(rows, 2, encodeTimeCursor)).toEqual({ next: encodeTimeCursor(cursor) });
    expect(nextPage(rows, 3, encodeTimeCursor)).toEqual({});
  });

  it('take limit and after, and nothing else', () => {
    expect(timePageQuery.safeParse({ limit: '2', after: encodeTimeCursor(cursor) }).data).toEqual({
      limit: 2,
      after: cursor,
    });
    expect(timePageQuery.safeParse({ limit: '2', page: '3' }).success).toBe(false);
  });
});
