// NATS subject wildcards: `*` matches one token, `>` (last token only) one or more.

function tokens(subject: string): string[] {
  return subject.split('.');
}

/** Whether a concrete subject matches a pattern with wildcards. */
export function subjectMatches(pattern: string, subject: string): boolean {
  return covers(tokens(pattern), tokens(subject));
}

/** Whether every subject that matches `inner` also matches `outer`. */
export function patternCovers(outer: string, inner: string): boolean {
  return covers(tokens(outer), tokens(inner));
}

function covers(outer: readonly string[], inner: readonly string[]): boolean {
  for (let i = 0; i < outer.length; i++) {
    const o = outer[i];
    const n = inner[i];
    if (o === '>') return n !== undefined;
    if (n === undefined || n === '>') return false;
    if (o !== '*' && (n === '*' || o !== n)) return false;
  }
  return outer.length === inner.length;
}

/** Whether some subject matches both patterns. */
export function patternsOverlap(a: string, b: string): boolean {
  const x = tokens(a);
  const y = tokens(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const p = x[i];
    const q = y[i];
    if (p === '>' || q === '>') return p !== undefined && q !== undefined;
    if (p === undefined || q === undefined) return false;
    if (p !== '*' && q !== '*' && p !== q) return false;
  }
  return true;
}
