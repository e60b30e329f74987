/** Base of every error an ObjectStore throws; `code` is stable, `cause` keeps the adapter's error. */
export class ObjectStoreError extends Error {
  override name = 'ObjectStoreError';
  readonly code: string;
  readonly bucket: string | undefined;
  readonly key: string | undefined;

  constructor(
    code: string,
    message: string,
    where: { bucket?: string; key?: string } = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.code = code;
    this.bucket = where.bucket;
    this.key = where.key;
  }
}

const at = (bucket: string, key?: string) => (key === undefined ? bucket : `${bucket}/${key}`);

export class ObjectNotFoundError extends ObjectStoreError {
  override name = 'ObjectNotFoundError';
  constructor(bucket: string, key: string, options?: ErrorOptions) {
    super('ObjectNotFound', `no object ${at(bucket, key)}`, { bucket, key }, options);
  }
}

export class BucketNotFoundError extends ObjectStoreError {
  override name = 'BucketNotFoundError';
  constructor(bucket: string, options?: ErrorOptions) {
    super('BucketNotFound', `no bucket ${bucket}`, { bucket }, options);
  }
}

/** The range starts past the end of the object, or is malformed. */
export class InvalidRangeError extends ObjectStoreError {
  override name = 'InvalidRangeError';
  constructor(message: string, where: { bucket?: string; key?: string } = {}, options?: ErrorOptions) {
    super('InvalidRange', message, where, options);
  }
}

/** A body's length differed from the size announced for it; nothing was stored. */
export class SizeMismatchError extends ObjectStoreError {
  override name = 'SizeMismatchError';
  constructor(bucket: string, key: string, expected: number, actual: number) {
    super(
      'SizeMismatch',
      `${at(bucket, key)}: announced ${expected} bytes, body had ${actual}${actual > expected ? '+' : ''}`,
      { bucket, key },
    );
  }
}

/** Credentials rejected, signature mismatch (e.g. a presigned URL used through another host), or no permission. */
export class AccessDeniedError extends ObjectStoreError {
  override name = 'AccessDeniedError';
  constructor(message: string, where: { bucket?: string; key?: string } = {}, options?: ErrorOptions) {
    super('AccessDenied', message, where, options);
  }
}

export class InvalidBucketNameError extends ObjectStoreError {
  override name = 'InvalidBucketNameError';
  constructor(bucket: string) {
    super(
      'InvalidBucketName',
      `invalid bucket name ${JSON.stringify(bucket)}: 3–63 of [a-z0-9.-], alphanumeric at both ends`,
      { bucket },
    );
  }
}

export class InvalidObjectKeyError extends ObjectStoreError {
  override name = 'InvalidObjectKeyError';
  constructor(bucket: string, key: string) {
    super('InvalidObjectKey', `invalid object key ${JSON.stringify(key.slice(0, 80))}: 1–1024 characters`, {
      bucket,
      key,
    });
  }
}

export class InvalidMetadataError extends ObjectStoreError {
  override name = 'InvalidMetadataError';
  constructor(message: string) {
    super('InvalidMetadata', message);
  }
}

export class MultipartUploadNotFoundError extends ObjectStoreError {
  override name = 'MultipartUploadNotFoundError';
  constructor(bucket: string, key: string, uploadId: string, options?: ErrorOptions) {
    super(
      'MultipartUploadNotFound',
      `no multipart upload ${uploadId} for ${at(bucket, key)} (completed or aborted?)`,
      { bucket, key },
      options,
    );
  }
}

/** The object is larger than the adapter can store with its part size (10,000 parts). */
export class ObjectTooLargeError extends ObjectStoreError {
  override name = 'ObjectTooLargeError';
  constructor(bucket: string, key: string, limit: number) {
    super(
      'ObjectTooLarge',
      `${at(bucket, key)} exceeds ${limit} bytes (10,000 parts of the configured part size)`,
      { bucket, key },
    );
  }
}

/** The store could not be reached. */
export class ObjectStoreUnavailableError extends ObjectStoreError {
  override name = 'ObjectStoreUnavailableError';
  constructor(message: string, options?: ErrorOptions) {
    super('Unavailable', message, {}, options);
  }
}

export class DeleteManyError extends ObjectStoreError {
  override name = 'DeleteManyError';
  readonly failures: readonly { key: string; code: string; message: string }[];
  constructor(bucket: string, failures: readonly { key: string; code: string; message: string }[]) {
    super(
      'DeleteMany',
      `${failures.length} object(s) in ${bucket} could not be deleted, e.g. ${failures[0]?.key ?? '?'}: ${failures[0]?.code ?? '?'}`,
      { bucket },
    );
    this.failures = failures;
  }
}
