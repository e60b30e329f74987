import { MAX_CHUNKS_PER_FETCH, SAFE_NAME } from '@muster/chunks';
import { z } from 'zod';

export const sha256Param = z.string().regex(/^[0-9a-f]{64}$/, { error: 'must be a SHA-256, lower-case hex' });
export const safeName = z
  .string()
  .regex(SAFE_NAME, {
    error: "must be 1–128 letters, digits, '.', '_' or '-', starting with a letter or digit",
  })
  .refine((s) => !s.includes('..'), { error: 'must not contain ..' });
export const releaseIdParam = z.uuid({ error: 'must be a release id (a UUID)' });

export const fetchChunksBody = z.strictObject({
  chunks: z
    .array(sha256Param)
    .min(1)
    .max(MAX_CHUNKS_PER_FETCH)
    .refine((ids) => new Set(ids).size === ids.length, { error: 'must not name a chunk twice' }),
});
export type FetchChunksBody = z.infer<typeof fetchChunksBody>;

export const chunkQuery = z.strictObject({
  /** `presigned`: answer 307 to a presigned S3 URL instead of the bytes (when the store is set up for it). */
  redirect: z.enum(['presigned']).optional(),
});
export type ChunkQuery = z.infer<typeof chunkQuery>;

export const manifestQuery = z.strictObject({ base: sha256Param.optional() });
export type ManifestQuery = z.infer<typeof manifestQuery>;

/** Bytes a fetch body may have: 4096 ids of 64 hex digits, quoted, with commas. */
export const FETCH_BODY_LIMIT = MAX_CHUNKS_PER_FETCH * 70 + 1024;
