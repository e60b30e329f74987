import type { InvalidParam } from './problem.js';
import { unsafeTextReason } from './unsafe-text.js';

const MAX_DEPTH = 32;

/** Every string in a parsed JSON body, keys included, checked for unsafe characters; named by path. */
export function checkBodyStrings(value: unknown): InvalidParam[] {
  const issues: InvalidParam[] = [];
  walk(value, [], issues);
  return issues;
}

function walk(value: unknown, path: readonly string[], issues: InvalidParam[]): void {
  const name = () => (path.length > 0 ? path.join('.') : 'body');
  if (typeof value === 'string') {
    const reason = unsafeTextReason(value);
    if (reason) issues.push({ name: name(), in: 'body', reason });
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  if (path.length >= MAX_DEPTH) {
    issues.push({ name: name(), in: 'body', reason: `nests deeper than ${MAX_DEPTH} levels` });
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => walk(item, [...path, String(i)], issues));
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    const reason = unsafeTextReason(key);
    if (reason) issues.push({ name: [...path, key].join('.'), in: 'body', reason: `its name ${reason}` });
    else walk(item, [...path, key], issues);
  }
}
