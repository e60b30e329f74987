/** A name a client may put in a path: an image, channel, file or architecture. */
export const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function isSafeName(value: unknown): value is string {
  return typeof value === 'string' && SAFE_NAME.test(value) && !value.includes('..');
}
