export type {
  ByteRange,
  GetOptions,
  ListOptions,
  ObjectBody,
  ObjectStat,
  ObjectStore,
  ObjectSummary,
  PresignOptions,
  PutOptions,
  PutResult,
  UploadedPart,
} from './object-store.port.js';
export {
  AccessDeniedError,
  BucketNotFoundError,
  DeleteManyError,
  InvalidBucketNameError,
  InvalidMetadataError,
  InvalidObjectKeyError,
  InvalidRangeError,
  MultipartUploadNotFoundError,
  ObjectNotFoundError,
  ObjectStoreError,
  ObjectStoreUnavailableError,
  ObjectTooLargeError,
  SizeMismatchError,
} from './object-store.errors.js';
export { S3ObjectStore } from './s3.object-store.js';
export type { S3ObjectStoreOptions } from './s3.options.js';
