/**
 * Characters no Muster edge accepts in any string: NUL and the other C0 controls (tab and
 * newline included: Muster's API carries identifiers and hardware facts, never prose), DEL,
 * the C1 controls, lone UTF-16 surrogates (PostgreSQL refuses both NUL and these, which used
 * to surface as a 500), and the bidirectional overrides and isolates (U+202A–U+202E,
 * U+2066–U+2069) that make a stored name read differently from what it is.
 */
// Without the `u` flag each UTF-16 unit is seen on its own, so a lone surrogate can be found.
const UNSAFE_UNITS =
  /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why a string is refused, or undefined when it is acceptable. */
export function unsafeTextReason(text: string): string | undefined {
  const found = UNSAFE_UNITS.exec(text);
  if (!found) return undefined;
  const unit = found[0].charCodeAt(0);
  const code = `U+${unit.toString(16).toUpperCase().padStart(4, '0')}`;
  if (unit === 0) return 'must not contain NUL (U+0000)';
  if (unit >= 0xd800 && unit <= 0xdfff) return `must not contain a lone surrogate (${code})`;
  if (unit >= 0x202a) return `must not contain a bidirectional control character (${code})`;
  return `must not contain a control character (${code})`;
}
