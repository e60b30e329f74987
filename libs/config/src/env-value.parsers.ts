import { z } from 'zod';

/** Parsers from env text to typed values, for service-specific variables. */

export function intValue(bounds: { min?: number; max?: number } = {}) {
  let n = z.number().int();
  if (bounds.min !== undefined) n = n.min(bounds.min);
  if (bounds.max !== undefined) n = n.max(bounds.max);
  return z
    .string()
    .trim()
    .regex(/^[+-]?\d+$/, { error: 'must be an integer' })
    .transform(Number)
    .pipe(n);
}

export function portValue() {
  return intValue({ min: 0, max: 65535 });
}

export function booleanValue() {
  return z.stringbool();
}

export function enumValue<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values);
}

export function urlValue(options: { protocols: readonly string[] }) {
  const protocol = new RegExp(`^(?:${options.protocols.join('|')})$`);
  const schemes = options.protocols.map((p) => `${p}://`).join(' or ');
  return z
    .string()
    .trim()
    .pipe(z.url({ protocol, error: `must be a ${schemes} URL` }));
}

/** Comma-separated URLs, at least one. */
export function urlListValue(options: { protocols: readonly string[] }) {
  const url = urlValue(options);
  return z
    .string()
    .transform((text) =>
      text
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part.length > 0),
    )
    .pipe(z.array(url).min(1, { error: 'must list at least one URL' }));
}
