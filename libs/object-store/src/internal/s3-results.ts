import type * as minio from 'minio';
import type { ObjectStat } from '../object-store.port.js';

// Headers that statObject reports besides the user's metadata.
const NOT_METADATA = new Set([
  'content-type',
  'cache-control',
  'content-encoding',
  'content-disposition',
  'content-language',
  'x-amz-storage-class',
]);

/** statObject's answer as an ObjectStat: the user's metadata without the HTTP headers minio mixes in. */
export function toObjectStat(info: minio.BucketItemStat): ObjectStat {
  const raw = info.metaData as Record<string, unknown>;
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    const name = k.toLowerCase();
    if (!NOT_METADATA.has(name) && !name.startsWith('x-amz-') && typeof v === 'string') metadata[name] = v;
  }
  const contentType = raw['content-type'] ?? raw['Content-Type'];
  return {
    size: info.size,
    etag: info.etag,
    contentType: typeof contentType === 'string' ? contentType : 'application/octet-stream',
    metadata,
    lastModified: info.lastModified,
  };
}

/** The failed entries of a DeleteObjects answer. */
export function deleteFailures(
  results: readonly unknown[],
): { key: string; code: string; message: string }[] {
  // The client's typings say { Error: {...} }; at run time it returns the <Error> entries themselves.
  return results.flatMap((r) => {
    if (r === null || typeof r !== 'object') return [];
    const e = ('Error' in r ? r.Error : r) as { Code?: string; Message?: string; Key?: string } | undefined;
    return e?.Code ? [{ key: e.Key ?? '?', code: e.Code, message: e.Message ?? '' }] : [];
  });
}
