import type { MachineSort } from './machine-sort.js';

/**
 * The position after a page's last machine: the sort it belongs to, that machine's sort key as
 * PostgreSQL wrote it, and its id (the tie-break). Opaque to clients (base64url of JSON); a
 * cursor of another sort is refused rather than misread.
 */
export interface MachineCursor {
  sort: MachineSort;
  key: string | null;
  machineId: string;
}

export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function encodeMachineCursor(cursor: MachineCursor): string {
  return Buffer.from(JSON.stringify([cursor.sort, cursor.key, cursor.machineId]), 'utf8').toString(
    'base64url',
  );
}

export function decodeMachineCursor(text: string, sort: MachineSort): MachineCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('must be the `next` value of a previous page');
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 3 ||
    typeof parsed[0] !== 'string' ||
    !(parsed[1] === null || (typeof parsed[1] === 'string' && parsed[1].length <= 300)) ||
    typeof parsed[2] !== 'string' ||
    !UUID.test(parsed[2])
  ) {
    throw new InvalidCursorError('must be the `next` value of a previous page');
  }
  if (parsed[0] !== sort) {
    throw new InvalidCursorError(
      `is the next page of sort ${parsed[0]}, not ${sort}: keep the sort while paging`,
    );
  }
  if ((parsed[1] === null) !== (sort === 'machineId')) {
    throw new InvalidCursorError('must be the `next` value of a previous page');
  }
  return { sort, key: parsed[1] as string | null, machineId: parsed[2] };
}
