import * as minio from 'minio';
import {
  AccessDeniedError,
  BucketNotFoundError,
  InvalidBucketNameError,
  InvalidObjectKeyError,
  InvalidRangeError,
  MultipartUploadNotFoundError,
  ObjectNotFoundError,
  ObjectStoreError,
  ObjectStoreUnavailableError,
} from '../object-store.errors.js';

export interface ErrorContext {
  bucket: string;
  key?: string;
  uploadId?: string;
}

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);
const DENIED = new Set([
  'AccessDenied',
  'SignatureDoesNotMatch',
  'InvalidAccessKeyId',
  'RequestTimeTooSkewed',
]);

/** The S3 error code (or Node network code) of whatever the minio client threw. */
export function errorCode(err: unknown): string | undefined {
  if (err !== null && typeof err === 'object' && 'code' in err && typeof err.code === 'string')
    return err.code;
  return undefined;
}

/** Maps a minio client error to the ObjectStore error classes; anything unknown becomes an ObjectStoreError with its code. */
export function toObjectStoreError(err: unknown, ctx: ErrorContext): Error {
  if (err instanceof ObjectStoreError) return err;
  const options = { cause: err };
  const where = { bucket: ctx.bucket, key: ctx.key };
  if (err instanceof minio.InvalidBucketNameError) return new InvalidBucketNameError(ctx.bucket);
  if (err instanceof minio.InvalidObjectNameError)
    return new InvalidObjectKeyError(ctx.bucket, ctx.key ?? '');
  const code = errorCode(err);
  const message = err instanceof Error ? err.message : String(err);
  switch (code) {
    case 'NoSuchKey':
      return new ObjectNotFoundError(ctx.bucket, ctx.key ?? '', options);
    case 'NoSuchBucket':
      return new BucketNotFoundError(ctx.bucket, options);
    case 'NotFound':
      // A HEAD has no body to say which: a missing key, or a missing bucket.
      return ctx.key === undefined
        ? new BucketNotFoundError(ctx.bucket, options)
        : new ObjectNotFoundError(ctx.bucket, ctx.key, options);
    case 'InvalidRange':
      return new InvalidRangeError(
        `range not satisfiable for ${ctx.bucket}/${ctx.key ?? ''}`,
        where,
        options,
      );
    case 'NoSuchUpload':
      return new MultipartUploadNotFoundError(ctx.bucket, ctx.key ?? '', ctx.uploadId ?? '?', options);
    case 'InvalidBucketName':
      return new InvalidBucketNameError(ctx.bucket);
    default:
      if (code !== undefined && DENIED.has(code))
        return new AccessDeniedError(`${code}: ${message}`, where, options);
      if (code !== undefined && UNREACHABLE.has(code))
        return new ObjectStoreUnavailableError(`object store unreachable (${code}): ${message}`, options);
      return new ObjectStoreError(code ?? 'Unknown', message, where, options);
  }
}
