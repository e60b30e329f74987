import { createHash } from 'node:crypto';

/**
 * The recipe digest: SHA-256 (lower-case hex) of the bundled recipe's canonical JSON — keys
 * sorted, undefined members dropped, no spaces — so the CLI and the service agree on it.
 */
export function recipeDigestOf(recipe: unknown): string {
  return createHash('sha256').update(canonicalJson(recipe)).digest('hex');
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
