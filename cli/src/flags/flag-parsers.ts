import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';

const UNITS_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `90s`, `30m`, `12h`, `7d`, `2w` → milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+)([smhdw])$/.exec(text.trim());
  if (!match) throw new InvalidArgumentError(`"${text}" is not a duration (e.g. 90s, 30m, 12h, 7d, 2w)`);
  return Number(match[1]) * UNITS_MS[match[2]!]!;
}

/**
 * A point in time: RFC 3339 (`2026-11-30T09:00:00Z`) as it is, or a duration meaning that long
 * ago (`2h` → two hours before `now`). Always sent as RFC 3339 UTC.
 */
export function parseTime(text: string, now: () => number = Date.now): string {
  if (/^\d+[smhdw]$/.test(text.trim())) return new Date(now() - parseDuration(text)).toISOString();
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text)) {
    throw new InvalidArgumentError(`"${text}" is neither an RFC 3339 time nor an age such as 2h or 7d`);
  }
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) throw new InvalidArgumentError(`"${text}" is not a valid time`);
  return date.toISOString();
}

const LABEL_KEY = /^[A-Za-z0-9]([A-Za-z0-9._/-]{0,126}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^[A-Za-z0-9._-]{0,63}$/;

/**
 * One label selector term, checked here so that a typo is a usage error: `k=v`, `k!=v`, `k`
 * (has the label) or `!k` (does not).
 */
export function parseSelectorTerm(term: string): string {
  const t = term.trim();
  const match = /^(!?)([^=!]+?)(?:(!=|=)(.*))?$/.exec(t);
  const key = match?.[2];
  if (!match || !key || !LABEL_KEY.test(key) || (match[1] && match[3])) {
    throw new InvalidArgumentError(`"${term}" is not a label selector (k=v, k!=v, k or !k)`);
  }
  if (match[3] && !LABEL_VALUE.test(match[4] ?? '')) {
    throw new InvalidArgumentError(`"${term}": a label value is letters, digits, '.', '_' or '-'`);
  }
  return t;
}

/** Collects a repeatable `--label` (each may be a comma list) into terms. */
export function collectSelector(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .filter((t) => t.trim() !== '')
      .map(parseSelectorTerm),
  ];
}

/** Collects a repeatable option into a list (each may be a comma list). */
export function collectList(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== ''),
  ];
}

/** `key=value` → [key, value]; the value may hold `=`. */
export function parsePair(text: string): [string, string] {
  const at = text.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError(`"${text}" must be key=value`);
  return [text.slice(0, at), text.slice(at + 1)];
}

/** Collects repeatable `key=value` options into an object. */
export function collectPairs(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const [key, v] = parsePair(value);
  return { ...previous, [key]: v };
}

/**
 * Label edits as kubectl spells them: `k=v` sets, `k-` removes. Returns the labels after the
 * edits, starting from `current`.
 */
export function applyLabelEdits(
  current: Record<string, string>,
  edits: readonly string[],
): Record<string, string> {
  const next = { ...current };
  for (const edit of edits) {
    if (edit.endsWith('-') && !edit.includes('=')) {
      const key = edit.slice(0, -1);
      if (!LABEL_KEY.test(key)) throw new InvalidArgumentError(`"${edit}": ${key} is not a label key`);
      delete next[key];
      continue;
    }
    const [key, value] = parsePair(edit);
    if (!LABEL_KEY.test(key) || !LABEL_VALUE.test(value)) {
      throw new InvalidArgumentError(`"${edit}" is not a label (k=v to set, k- to remove)`);
    }
    next[key] = value;
  }
  return next;
}

export function parsePositiveInt(text: string): number {
  if (!/^[1-9]\d{0,8}$/.test(text))
    throw new InvalidArgumentError(`"${text}" is not a positive whole number`);
  return Number(text);
}

export function parseNonNegativeInt(text: string): number {
  if (!/^\d{1,9}$/.test(text)) throw new InvalidArgumentError(`"${text}" is not a whole number`);
  return Number(text);
}

/** A JSON object given inline or as `@path/to/file.json`. */
export function parseJsonObject(text: string): Record<string, unknown> {
  let source = text;
  if (text.startsWith('@')) {
    try {
      source = readFileSync(text.slice(1), 'utf8');
    } catch (err) {
      throw new InvalidArgumentError(`cannot read ${text.slice(1)}: ${(err as Error).message}`);
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch (err) {
    throw new InvalidArgumentError(`not JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError('must be a JSON object');
  }
  return value as Record<string, unknown>;
}

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** A maintenance window `mon,tue@02:00+90m` (days, start in the site's zone, duration). */
export function parseWindow(
  text: string,
  previous: { days: string[]; start: string; durationMinutes: number }[] = [],
): { days: string[]; start: string; durationMinutes: number }[] {
  const match = /^([a-z,]+)@(\d{2}:\d{2})\+(\d+[mhd])$/.exec(text.trim().toLowerCase());
  const days = match?.[1]?.split(',').filter(Boolean) ?? [];
  if (!match || days.length === 0 || days.some((d) => !DAYS.includes(d))) {
    throw new InvalidArgumentError(`"${text}" is not a window: DAYS@HH:MM+DURATION, e.g. sat,sun@02:00+4h`);
  }
  return [...previous, { days, start: match[2]!, durationMinutes: parseDuration(match[3]!) / 60_000 }];
}

/** An http(s) base URL without its trailing slashes: `http://cache.branch-042:8090/` → `…:8090`. */
export function parseHttpUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidArgumentError(`"${text}" is not a URL (e.g. http://cache.branch-042:8090)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new InvalidArgumentError(`"${text}" is not an http:// or https:// URL`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
