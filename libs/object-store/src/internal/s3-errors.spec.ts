import * as minio from 'minio';
import { describe, expect, it } from 'vitest';
import {
  AccessDeniedError,
  BucketNotFoundError,
  InvalidRangeError,
  MultipartUploadNotFoundError,
  ObjectNotFoundError,
  ObjectStoreError,
  ObjectStoreUnavailableError,
} from '../object-store.errors.js';
import { toObjectStoreError } from './s3-errors.js';

function s3Error(code: string): minio.S3Error {
  const err = new minio.S3Error(`server said ${code}`);
  err.code = code;
  return err;
}

describe('toObjectStoreError', () => {
  it('maps S3 codes to the named errors, keeping the cause', () => {
    const notFound = toObjectStoreError(s3Error('NoSuchKey'), { bucket: 'b', key: 'k' });
    expect(notFound).toBeInstanceOf(ObjectNotFoundError);
    expect(notFound).toMatchObject({ bucket: 'b', key: 'k', code: 'ObjectNotFound' });
    expect(notFound.cause).toBeInstanceOf(minio.S3Error);
    expect(toObjectStoreError(s3Error('NoSuchBucket'), { bucket: 'b', key: 'k' })).toBeInstanceOf(
      BucketNotFoundError,
    );
    expect(toObjectStoreError(s3Error('InvalidRange'), { bucket: 'b', key: 'k' })).toBeInstanceOf(
      InvalidRangeError,
    );
    expect(
      toObjectStoreError(s3Error('NoSuchUpload'), { bucket: 'b', key: 'k', uploadId: 'u' }),
    ).toBeInstanceOf(MultipartUploadNotFoundError);
    expect(toObjectStoreError(s3Error('SignatureDoesNotMatch'), { bucket: 'b' })).toBeInstanceOf(
      AccessDeniedError,
    );
  });

  it('reads a body-less 404 (HEAD) by what was asked for', () => {
    expect(toObjectStoreError(s3Error('NotFound'), { bucket: 'b', key: 'k' })).toBeInstanceOf(
      ObjectNotFoundError,
    );
    expect(toObjectStoreError(s3Error('NotFound'), { bucket: 'b' })).toBeInstanceOf(BucketNotFoundError);
  });

  it('maps network failures to ObjectStoreUnavailableError', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(toObjectStoreError(refused, { bucket: 'b' })).toBeInstanceOf(ObjectStoreUnavailableError);
  });

  it('keeps an unknown code as a plain ObjectStoreError', () => {
    const err = toObjectStoreError(s3Error('SlowDown'), { bucket: 'b', key: 'k' });
    expect(err.constructor).toBe(ObjectStoreError);
    expect(err).toMatchObject({ code: 'SlowDown' });
  });
});
