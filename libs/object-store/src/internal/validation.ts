import {
  InvalidBucketNameError,
  InvalidMetadataError,
  InvalidObjectKeyError,
  InvalidRangeError,
} from '../object-store.errors.js';
import type { ByteRange } from '../object-store.port.js';

// What S3 (and the minio client) accept for a bucket name.
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const IP_LIKE = /^\d+\.\d+\.\d+\.\d+$/;
const METADATA_KEY = /^[a-z0-9][a-z0-9-]*$/;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
// Names that come back as HTTP headers of their own and would shadow the metadata entry.
const RESERVED_KEYS = new Set([
  'content-type',
  'cache-control',
  'content-encoding',
  'content-disposition',
  'content-language',
  'if-match',
  'if-none-match',
]);
const MAX_METADATA_BYTES = 2_048;
export const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

export function checkBucket(bucket: string): void {
  if (!BUCKET.test(bucket) || bucket.includes('..') || IP_LIKE.test(bucket))
    throw new InvalidBucketNameError(bucket);
}

export function checkKey(bucket: string, key: string): void {
  if (typeof key !== 'string' || key.length === 0 || Buffer.byteLength(key) > 1_024)
    throw new InvalidObjectKeyError(bucket, key);
}

/** The request headers for Content-Type and user metadata (x-amz-meta-*), after checking them. */
export function objectHeaders(
  contentType: string | undefined,
  metadata: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const headers: Record<string, string> = { 'Content-Type': contentType ?? 'application/octet-stream' };
  if (!PRINTABLE_ASCII.test(headers['Content-Type'] ?? ''))
    throw new InvalidMetadataError('contentType must be printable ASCII');
  let bytes = 0;
  for (const [key, value] of Object.entries(metadata)) {
    if (!METADATA_KEY.test(key) || key.startsWith('x-amz-') || RESERVED_KEYS.has(key)) {
      throw new InvalidMetadataError(
        `metadata key ${JSON.stringify(key)}: use lower-case [a-z0-9-], not an HTTP header name`,
      );
    }
    if (typeof value !== 'string' || !PRINTABLE_ASCII.test(value)) {
      throw new InvalidMetadataError(
        `metadata value of ${key} must be printable ASCII (encode other text, e.g. base64)`,
      );
    }
    bytes += key.length + value.length;
    headers[`X-Amz-Meta-${key}`] = value;
  }
  if (bytes > MAX_METADATA_BYTES)
    throw new InvalidMetadataError(`metadata is ${bytes} bytes; at most ${MAX_METADATA_BYTES}`);
  return headers;
}

/** offset + length for an inclusive range (length 0 = to the end). */
export function rangeToOffsetLength(
  range: ByteRange,
  where: { bucket: string; key: string },
): { offset: number; length: number } {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || start < 0)
    throw new InvalidRangeError(`range start must be an integer ≥ 0, got ${start}`, where);
  if (end === undefined) return { offset: start, length: 0 };
  if (!Number.isSafeInteger(end) || end < start)
    throw new InvalidRangeError(`range end must be an integer ≥ start (${start}), got ${end}`, where);
  return { offset: start, length: end - start + 1 };
}

export function checkExpiry(seconds: number): void {
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_PRESIGN_SECONDS) {
    throw new RangeError(`expirySeconds must be an integer from 1 to ${MAX_PRESIGN_SECONDS}, got ${seconds}`);
  }
}

export interface Endpoint {
  endPoint: string;
  port: number;
  useSSL: boolean;
}

/** `host[:port]` (scheme of `fallback`) or `http(s)://host[:port]`, as the endpoint a client signs for. */
export function parseHost(host: string, fallback: Endpoint): Endpoint {
  const withScheme = /^[a-z]+:\/\//i.test(host) ? host : `${fallback.useSSL ? 'https' : 'http'}://${host}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new TypeError(`presign host ${JSON.stringify(host)} is not host[:port] or a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new TypeError(`presign host must be http or https: ${host}`);
  if (url.pathname !== '/' || url.search || url.username)
    throw new TypeError(`presign host must be a bare origin: ${host}`);
  const useSSL = url.protocol === 'https:';
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { endPoint: hostname, port: url.port ? Number(url.port) : useSSL ? 443 : 80, useSSL };
}
