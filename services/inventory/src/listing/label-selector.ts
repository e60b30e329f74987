/**
 * A label selector, as Kubernetes spells equality selectors: terms separated by commas, all of
 * which must hold.
 *
 *   `k=v`   the label k is v          `k!=v`  k is absent or not v
 *   `k`     the label k is present    `!k`    k is absent
 */
export type LabelTerm =
  | { op: 'eq'; key: string; value: string }
  | { op: 'ne'; key: string; value: string }
  | { op: 'exists'; key: string }
  | { op: 'absent'; key: string };

export class InvalidSelectorError extends Error {
  override readonly name = 'InvalidSelectorError';
}

export const LABEL_KEY = /^[a-z0-9]([a-z0-9._/-]{0,61}[a-z0-9])?$/;
const VALUE = /^[^,=!]{0,256}$/;

/** Parses one or more selector texts (repeated `label` parameters) into one list of terms. */
export function parseSelector(texts: readonly string[]): LabelTerm[] {
  const terms: LabelTerm[] = [];
  for (const text of texts) {
    for (const raw of text.split(',')) {
      const term = raw.trim();
      if (term === '') throw new InvalidSelectorError(`empty term in ${JSON.stringify(text)}`);
      terms.push(parseTerm(term));
    }
  }
  return terms;
}

function parseTerm(term: string): LabelTerm {
  const ne = term.indexOf('!=');
  const eq = term.indexOf('=');
  if (ne > 0) return withValue('ne', term.slice(0, ne), term.slice(ne + 2), term);
  if (eq > 0) return withValue('eq', term.slice(0, eq), term.slice(eq + 1), term);
  if (term.startsWith('!')) return { op: 'absent', key: key(term.slice(1), term) };
  return { op: 'exists', key: key(term, term) };
}

function withValue(op: 'eq' | 'ne', k: string, v: string, term: string): LabelTerm {
  const value = v.trim();
  if (!VALUE.test(value)) throw new InvalidSelectorError(`bad value in ${JSON.stringify(term)}`);
  return { op, key: key(k.trim(), term), value };
}

function key(k: string, term: string): string {
  if (!LABEL_KEY.test(k)) {
    throw new InvalidSelectorError(`bad label key in ${JSON.stringify(term)} (lower-case a-z 0-9 . _ / -)`);
  }
  return k;
}

/** Whether a label set satisfies every term. */
export function selectorMatches(
  terms: readonly LabelTerm[],
  labels: Readonly<Record<string, string>>,
): boolean {
  return terms.every((t) => {
    const has = Object.hasOwn(labels, t.key);
    switch (t.op) {
      case 'eq':
        return has && labels[t.key] === t.value;
      case 'ne':
        return !has || labels[t.key] !== t.value;
      case 'exists':
        return has;
      case 'absent':
        return !has;
    }
  });
}

/**
 * The same terms as SQL over a jsonb column, each served by its GIN index: `@>` (containment)
 * for equality, `?` (key exists) for presence; their negations for `!=` and `!k`. Appends the
 * parameters to `params` and returns the condition.
 */
export function selectorSql(terms: readonly LabelTerm[], column: string, params: unknown[]): string {
  return terms
    .map((t) => {
      if (t.op === 'eq' || t.op === 'ne') {
        params.push(JSON.stringify({ [t.key]: t.value }));
        const contains = `${column} @> $${params.length}::jsonb`;
        return t.op === 'eq' ? contains : `NOT (${contains})`;
      }
      params.push(t.key);
      const exists = `${column} ? $${params.length}`;
      return t.op === 'exists' ? exists : `NOT (${exists})`;
    })
    .join(' AND ');
}

/** A selector written back as text (the canonical form a rule stores). */
export function formatSelector(terms: readonly LabelTerm[]): string {
  return terms
    .map((t) =>
      t.op === 'eq'
        ? `${t.key}=${t.value}`
        : t.op === 'ne'
          ? `${t.key}!=${t.value}`
          : t.op === 'exists'
            ? t.key
            : `!${t.key}`,
    )
    .join(',');
}
