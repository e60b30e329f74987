import { z } from 'zod';
import { MIN_PART_SIZE } from './streamed-upload.js';

/** Validates S3ObjectStoreOptions and fills in the defaults. */
export const s3OptionsSchema = z.object({
  endPoint: z.string().min(1),
  port: z.number().int().min(1).max(65_535),
  useSSL: z.boolean(),
  accessKey: z.string().min(1),
  secretKey: z.string().min(1),
  region: z.string().min(1).default('us-east-1'),
  pathStyle: z.literal(true).default(true),
  presignHost: z.string().min(1).optional(),
  partSize: z
    .number()
    .int()
    .min(MIN_PART_SIZE)
    .max(5 * 1024 ** 3)
    .default(16 * 1024 * 1024),
  partConcurrency: z.number().int().min(1).max(32).default(4),
});

export type ResolvedS3Options = z.output<typeof s3OptionsSchema>;
