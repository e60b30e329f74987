import { envVar, urlValue } from '@muster/config';

/**
 * Where PXE clients reach boot, e.g. `http://boot.site.example:8085`: every URL an iPXE script
 * chains to is built from it, never from the request's Host header (a Host such as
 * `evil||shell` would otherwise become an iPXE command). Scheme, host, port and a plain path
 * only: no credentials, query or fragment, nothing iPXE would read as an operator.
 */
const publicBaseUrl = urlValue({ protocols: ['http', 'https'] })
  .refine(
    (text) => {
      const url = new URL(text);
      return (
        !url.username && !url.password && !url.search && !url.hash && /^[A-Za-z0-9._~/-]*$/.test(url.pathname)
      );
    },
    { error: 'must be a plain http(s):// base URL (no credentials, query, fragment or special characters)' },
  )
  .refine((text) => /^[A-Za-z0-9.:/_~[\]-]+$/.test(text), {
    error: 'must not contain iPXE operators or spaces',
  })
  .transform((text) => text.replace(/\/+$/, ''));

export function bootConfig() {
  return { publicUrl: envVar('MUSTER_BOOT_PUBLIC_URL', publicBaseUrl) };
}
