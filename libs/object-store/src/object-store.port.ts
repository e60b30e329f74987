import type { Readable } from 'node:stream';

/** Bytes to store: in memory, or a stream of unknown (or announced) length. */
export type ObjectBody = Buffer | Uint8Array | Readable;

export interface PutOptions {
  /** Exact length of a stream body, when known. A body of another length is an error and nothing is stored. */
  size?: number;
  /** Stored and returned as Content-Type; default application/octet-stream. */
  contentType?: string;
  /**
   * User metadata: keys are lower-case `[a-z0-9-]` (not HTTP header names such as
   * content-type), values printable ASCII (encode anything else yourself). About 2 KiB in all.
   */
  metadata?: Readonly<Record<string, string>>;
}

export interface PutResult {
  etag: string;
  /** Bytes stored. */
  size: number;
}

/** A byte range; both ends inclusive (HTTP semantics): { start: 0, end: 9 } is the first 10 bytes. */
export interface ByteRange {
  start: number;
  /** Last byte wanted; omitted means to the end. An end past the object is clamped to its last byte. */
  end?: number;
}

export interface GetOptions {
  range?: ByteRange;
}

export interface ObjectStat {
  size: number;
  etag: string;
  contentType: string;
  metadata: Record<string, string>;
  lastModified: Date;
}

export interface ObjectSummary {
  key: string;
  size: number;
  etag: string;
  lastModified: Date;
}

export interface ListOptions {
  /** Keys fetched per request (1–1000, default 1000); listing pages through them all either way. */
  pageSize?: number;
}

export interface PresignOptions {
  /** Lifetime of the URL, 1 s to 7 days. */
  expirySeconds: number;
  /**
   * The host the URL will be fetched from, as `host[:port]` or `http(s)://host[:port]`. A
   * presigned URL is bound to its host: one signed for the internal endpoint fails (403) when
   * fetched through a public name. Default: the adapter's presign host, else its endpoint.
   */
  host?: string;
}

export interface UploadedPart {
  partNumber: number;
  etag: string;
}

/**
 * Where Muster keeps artifacts (image chunks, manifests, images): buckets of immutable objects
 * addressed by key. The S3 adapter (S3ObjectStore) is the production one; every adapter passes
 * the conformance suite in test/conformance.ts.
 *
 * Errors are ObjectStoreError subclasses: ObjectNotFoundError, BucketNotFoundError,
 * InvalidRangeError, SizeMismatchError, AccessDeniedError, … (see object-store.errors.ts).
 */
export interface ObjectStore {
  /** Creates the bucket unless it exists. Idempotent, also when called concurrently. */
  ensureBucket(bucket: string): Promise<void>;

  /**
   * Stores an object, replacing any object with that key. Streams are sent as they are read:
   * a body larger than one part (or of unknown size that turns out larger) goes up as a
   * multipart upload, parts in parallel; if the body fails midway nothing is stored.
   */
  put(bucket: string, key: string, body: ObjectBody, options?: PutOptions): Promise<PutResult>;

  /** The object's bytes (or a range of them). Throws ObjectNotFoundError / BucketNotFoundError. */
  get(bucket: string, key: string, options?: GetOptions): Promise<Readable>;

  /** Size, etag, type, metadata and date of an object; undefined when the object (or its bucket) does not exist. */
  stat(bucket: string, key: string): Promise<ObjectStat | undefined>;

  /** A URL anyone can GET the object with, until it expires; fetch it from `options.host`. */
  presignGet(bucket: string, key: string, options: PresignOptions): Promise<string>;

  /** A URL anyone can PUT the object's bytes to (one request, up to 5 GiB), until it expires. */
  presignPut(bucket: string, key: string, options: PresignOptions): Promise<string>;

  /** Every object whose key starts with `prefix`, in key order (UTF-8 binary), fetched page by page. */
  list(bucket: string, prefix?: string, options?: ListOptions): AsyncIterable<ObjectSummary>;

  /** Deletes an object; deleting a missing key succeeds. */
  delete(bucket: string, key: string): Promise<void>;

  /** Deletes many objects in batched requests; throws DeleteManyError listing the keys that failed. */
  deleteMany(bucket: string, keys: readonly string[]): Promise<void>;

  /**
   * Explicit multipart upload, for callers that produce parts themselves (e.g. resumable uploads):
   * create, upload parts (each ≥ 5 MiB except the last, numbers 1–10000), then complete with
   * the parts in order — or abort, which discards them.
   */
  createMultipartUpload(bucket: string, key: string, options?: Omit<PutOptions, 'size'>): Promise<string>;
  uploadPart(
    bucket: string,
    key: string,
    uploadId: string,
    partNumber: number,
    body: Buffer | Uint8Array,
  ): Promise<UploadedPart>;
  completeMultipartUpload(
    bucket: string,
    key: string,
    uploadId: string,
    parts: readonly UploadedPart[],
  ): Promise<{ etag: string }>;
  abortMultipartUpload(bucket: string, key: string, uploadId: string): Promise<void>;
}
