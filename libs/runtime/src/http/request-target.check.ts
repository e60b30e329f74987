import type { InvalidParam } from './problem.js';
import { unsafeTextReason } from './unsafe-text.js';

/** A route as the router knows it, e.g. `GET /v1/machines/:id`. */
export interface RouteEntry {
  readonly method: string;
  readonly path: string;
}

const NOT_UTF8 = 'is not valid percent-encoded UTF-8';

function decode(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/**
 * Checks a raw query string before any parser sees it: every name and value must be valid
 * percent-encoded UTF-8 (a lone surrogate can only arrive as an invalid sequence here) and
 * free of unsafe characters, and no name may be given twice (a parser would make an array of
 * it, which no schema here expects).
 */
export function checkQueryString(rawQuery: string): InvalidParam[] {
  const issues: InvalidParam[] = [];
  const seen = new Map<string, number>();
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawName = eq === -1 ? part : part.slice(0, eq);
    const name = decode(rawName);
    if (name === undefined) {
      issues.push({ name: rawName, in: 'query', reason: `its name ${NOT_UTF8}` });
      continue;
    }
    const nameReason = unsafeTextReason(name);
    if (nameReason) {
      issues.push({ name, in: 'query', reason: `its name ${nameReason}` });
      continue;
    }
    seen.set(name, (seen.get(name) ?? 0) + 1);
    const value = decode(eq === -1 ? '' : part.slice(eq + 1));
    const valueReason = value === undefined ? NOT_UTF8 : unsafeTextReason(value);
    if (valueReason) issues.push({ name, in: 'query', reason: valueReason });
  }
  for (const [name, count] of seen) {
    if (count > 1) issues.push({ name, in: 'query', reason: `is repeated ${count} times; give it once` });
  }
  return issues;
}

/**
 * Checks each segment of a raw path the same way. A refused segment is named after the route
 * parameter it would fill (`id` for `/v1/machines/:id`), found among `routes` by shape.
 */
export function checkPath(rawPath: string, method: string, routes: readonly RouteEntry[]): InvalidParam[] {
  const segments = rawPath.split('/');
  const issues: InvalidParam[] = [];
  segments.forEach((raw, index) => {
    const text = decode(raw.replace(/\+/g, '%2B'));
    const reason = text === undefined ? NOT_UTF8 : unsafeTextReason(text);
    if (reason) issues.push({ name: parameterAt(segments, index, method, routes), in: 'path', reason });
  });
  return issues;
}

function parameterAt(
  segments: readonly string[],
  index: number,
  method: string,
  routes: readonly RouteEntry[],
) {
  for (const route of routes) {
    if (route.method !== method && route.method !== 'ALL') continue;
    const pattern = route.path.split('/');
    if (pattern.length !== segments.length) continue;
    const fits = pattern.every((p, i) => i === index || p.startsWith(':') || p === segments[i]);
    const at = pattern[index];
    if (fits && at?.startsWith(':')) return at.slice(1);
  }
  return `path segment ${index}`;
}
