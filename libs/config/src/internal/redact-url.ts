export const REDACTED = '***';

const SENSITIVE_QUERY_PARAM = /pass|secret|token|key|signature|credential/i;

/** Replaces a URL's password and password-like query parameters; other text is returned as is. */
export function redactUrlCredentials(value: string): string {
  if (!value.includes('://')) return value;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return value;
  }
  let changed = false;
  if (url.password !== '') {
    url.password = REDACTED;
    changed = true;
  }
  for (const name of [...url.searchParams.keys()]) {
    if (SENSITIVE_QUERY_PARAM.test(name)) {
      url.searchParams.set(name, REDACTED);
      changed = true;
    }
  }
  return changed ? url.href : value;
}
