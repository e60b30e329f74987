import type { StreamName } from '@muster/contracts';

/**
 * Where a reader of several streams stands: per stream, the sequence of the last event it was
 * sent — or, for a stream that has sent nothing yet on a replay by time, that time.
 *
 * Written as the SSE `id:` of every event: `INVENTORY:1042,IMAGES:t1764493200000,ROLLOUTS:7`
 * (stream `:` sequence, or `t` + Unix milliseconds; streams in a fixed order, comma-separated).
 * A client resumes by sending it back (`Last-Event-ID`, or `?after=`): each stream continues
 * right after its own sequence, so nothing is repeated and nothing is skipped, whatever the
 * interleaving of the streams was.
 */
export type EventCursor = Partial<Record<StreamName, { seq: number } | { since: number }>>;

export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
}

const ENTRY = /^([A-Z_]{1,32}):(?:(\d{1,16})|t(\d{1,16}))$/;

export function encodeCursor(cursor: EventCursor): string {
  return Object.entries(cursor)
    .map(([stream, at]) => `${stream}:${'seq' in at ? at.seq : `t${at.since}`}`)
    .join(',');
}

export function decodeCursor(text: string, known: readonly StreamName[]): EventCursor {
  const cursor: EventCursor = {};
  if (text.length > 1024) throw new InvalidCursorError('too long to be an event id');
  for (const part of text.split(',')) {
    const match = ENTRY.exec(part);
    const stream = match?.[1] as StreamName | undefined;
    if (!match || !stream || !known.includes(stream) || cursor[stream]) {
      throw new InvalidCursorError(`"${part}" is not part of an event id this server handed out`);
    }
    cursor[stream] = match[2] !== undefined ? { seq: Number(match[2]) } : { since: Number(match[3]) };
  }
  return cursor;
}
