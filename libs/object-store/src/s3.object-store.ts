import type { Readable } from 'node:stream';
import * as minio from 'minio';
import { DeleteManyError, MultipartUploadNotFoundError } from './object-store.errors.js';
import type {
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
import { deleteFailures, toObjectStat } from './internal/s3-results.js';
import { errorCode, toObjectStoreError } from './internal/s3-errors.js';
import { completeUpload, s3UploadTarget, uploadExists } from './internal/s3-upload.js';
import { isBodyError, streamedUpload } from './internal/streamed-upload.js';
import {
  checkBucket,
  checkExpiry,
  checkKey,
  objectHeaders,
  parseHost,
  rangeToOffsetLength,
  type Endpoint,
} from './internal/validation.js';
import { s3OptionsSchema, type ResolvedS3Options } from './internal/s3-options.js';
import type { S3ObjectStoreOptions } from './s3.options.js';

/** The ObjectStore port over any S3 server (MinIO in production, Ceph radosgw in tests) through the `minio` client. */
export class S3ObjectStore implements ObjectStore {
  readonly #client: minio.Client;
  readonly #config: ResolvedS3Options;
  readonly #signers = new Map<string, minio.Client>();
  readonly #ensuring = new Map<string, Promise<void>>();

  constructor(options: S3ObjectStoreOptions) {
    const parsed = s3OptionsSchema.safeParse(options);
    if (!parsed.success) {
      throw new TypeError(
        `invalid S3ObjectStore options: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    }
    this.#config = parsed.data;
    this.#client = this.#newClient(parsed.data);
  }

  async ensureBucket(bucket: string): Promise<void> {
    checkBucket(bucket);
    const pending = this.#ensuring.get(bucket);
    if (pending) return pending;
    const created = this.#createBucket(bucket).finally(() => this.#ensuring.delete(bucket));
    this.#ensuring.set(bucket, created);
    return created;
  }

  async put(bucket: string, key: string, body: ObjectBody, options: PutOptions = {}): Promise<PutResult> {
    checkBucket(bucket);
    checkKey(bucket, key);
    if (options.size !== undefined && (!Number.isSafeInteger(options.size) || options.size < 0)) {
      throw new RangeError(`size must be an integer ≥ 0, got ${options.size}`);
    }
    const headers = objectHeaders(options.contentType, options.metadata);
    const target = s3UploadTarget(this.#client, bucket, key, headers);
    try {
      return await streamedUpload(target, body, {
        bucket,
        key,
        size: options.size,
        partSize: this.#config.partSize,
        concurrency: this.#config.partConcurrency,
      });
    } catch (err) {
      if (isBodyError(err)) throw err;
      throw toObjectStoreError(err, { bucket, key });
    }
  }

  async get(bucket: string, key: string, options: GetOptions = {}): Promise<Readable> {
    checkBucket(bucket);
    checkKey(bucket, key);
    const range = options.range ? rangeToOffsetLength(options.range, { bucket, key }) : undefined;
    try {
      if (!range || (range.offset === 0 && range.length === 0))
        return await this.#client.getObject(bucket, key);
      return await this.#client.getPartialObject(bucket, key, range.offset, range.length);
    } catch (err) {
      throw toObjectStoreError(err, { bucket, key });
    }
  }

  async stat(bucket: string, key: string): Promise<ObjectStat | undefined> {
    checkBucket(bucket);
    checkKey(bucket, key);
    let info: minio.BucketItemStat;
    try {
      info = await this.#client.statObject(bucket, key);
    } catch (err) {
      if (['NotFound', 'NoSuchKey', 'NoSuchBucket'].includes(errorCode(err) ?? '')) return undefined;
      throw toObjectStoreError(err, { bucket, key });
    }
    return toObjectStat(info);
  }

  async presignGet(bucket: string, key: string, options: PresignOptions): Promise<string> {
    return this.#presign('GET', bucket, key, options);
  }

  async presignPut(bucket: string, key: string, options: PresignOptions): Promise<string> {
    return this.#presign('PUT', bucket, key, options);
  }

  async *list(bucket: string, prefix = '', options: ListOptions = {}): AsyncGenerator<ObjectSummary> {
    checkBucket(bucket);
    const pageSize = options.pageSize ?? 1_000;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1_000)
      throw new RangeError(`pageSize must be 1–1000, got ${pageSize}`);
    let token = '';
    do {
      let page: Awaited<ReturnType<minio.Client['listObjectsV2Query']>>;
      try {
        page = await this.#client.listObjectsV2Query(bucket, prefix, token, '', pageSize, '');
      } catch (err) {
        throw toObjectStoreError(err, { bucket });
      }
      for (const o of page.objects) {
        if (o.name !== undefined)
          yield { key: o.name, size: Number(o.size), etag: o.etag, lastModified: o.lastModified };
      }
      if (page.isTruncated && !page.nextContinuationToken)
        throw new Error(`listing ${bucket} was truncated without a continuation token`);
      token = page.isTruncated ? page.nextContinuationToken : '';
    } while (token);
  }

  async delete(bucket: string, key: string): Promise<void> {
    checkBucket(bucket);
    checkKey(bucket, key);
    try {
      await this.#client.removeObject(bucket, key);
    } catch (err) {
      throw toObjectStoreError(err, { bucket, key });
    }
  }

  async deleteMany(bucket: string, keys: readonly string[]): Promise<void> {
    checkBucket(bucket);
    for (const key of keys) checkKey(bucket, key);
    if (keys.length === 0) return;
    let results: unknown[];
    try {
      results = await this.#client.removeObjects(bucket, [...keys]);
    } catch (err) {
      throw toObjectStoreError(err, { bucket });
    }
    const failures = deleteFailures(results);
    if (failures.length > 0) throw new DeleteManyError(bucket, failures);
  }

  async createMultipartUpload(
    bucket: string,
    key: string,
    options: Omit<PutOptions, 'size'> = {},
  ): Promise<string> {
    checkBucket(bucket);
    checkKey(bucket, key);
    const headers = objectHeaders(options.contentType, options.metadata);
    try {
      return await this.#client.initiateNewMultipartUpload(bucket, key, headers);
    } catch (err) {
      throw toObjectStoreError(err, { bucket, key });
    }
  }

  async uploadPart(
    bucket: string,
    key: string,
    uploadId: string,
    partNumber: number,
    body: Buffer | Uint8Array,
  ): Promise<UploadedPart> {
    checkBucket(bucket);
    checkKey(bucket, key);
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10_000)
      throw new RangeError(`partNumber must be 1–10000, got ${partNumber}`);
    const buf = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    try {
      const { etag } = await this.#client.uploadPart(
        { bucketName: bucket, objectName: key, uploadID: uploadId, partNumber, headers: {} },
        buf,
      );
      return { partNumber, etag };
    } catch (err) {
      throw toObjectStoreError(err, { bucket, key, uploadId });
    }
  }

  async completeMultipartUpload(
    bucket: string,
    key: string,
    uploadId: string,
    parts: readonly UploadedPart[],
  ): Promise<{ etag: string }> {
    checkBucket(bucket);
    checkKey(bucket, key);
    const ordered = [...parts]
      .sort((a, b) => a.partNumber - b.partNumber)
      .map((p) => ({ part: p.partNumber, etag: p.etag }));
    try {
      return { etag: await completeUpload(this.#client, bucket, key, uploadId, ordered) };
    } catch (err) {
      // radosgw 16 answers 500 (not NoSuchUpload) when the upload was aborted or completed.
      if (errorCode(err) === undefined && !(await uploadExists(this.#client, bucket, key, uploadId))) {
        throw new MultipartUploadNotFoundError(bucket, key, uploadId, { cause: err });
      }
      throw toObjectStoreError(err, { bucket, key, uploadId });
    }
  }

  async abortMultipartUpload(bucket: string, key: string, uploadId: string): Promise<void> {
    checkBucket(bucket);
    checkKey(bucket, key);
    try {
      await this.#client.abortMultipartUpload(bucket, key, uploadId);
    } catch (err) {
      throw toObjectStoreError(err, { bucket, key, uploadId });
    }
  }

  async #createBucket(bucket: string): Promise<void> {
    try {
      await this.#client.makeBucket(bucket, this.#config.region);
    } catch (err) {
      const code = errorCode(err);
      if (code === 'BucketAlreadyOwnedByYou') return;
      // Another caller won the race — or someone else owns the name, which bucketExists tells apart.
      if (code === 'BucketAlreadyExists' && (await this.#client.bucketExists(bucket).catch(() => false)))
        return;
      throw toObjectStoreError(err, { bucket });
    }
  }

  async #presign(
    method: 'GET' | 'PUT',
    bucket: string,
    key: string,
    options: PresignOptions,
  ): Promise<string> {
    checkBucket(bucket);
    checkKey(bucket, key);
    checkExpiry(options.expirySeconds);
    const signer = this.#signer(options.host ?? this.#config.presignHost);
    try {
      return method === 'GET'
        ? await signer.presignedGetObject(bucket, key, options.expirySeconds)
        : await signer.presignedPutObject(bucket, key, options.expirySeconds);
    } catch (err) {
      throw toObjectStoreError(err, { bucket, key });
    }
  }

  /** A client configured for the host the URL will be fetched from; signing needs no request. */
  #signer(host: string | undefined): minio.Client {
    if (host === undefined) return this.#client;
    let signer = this.#signers.get(host);
    if (!signer) {
      const { endPoint, port, useSSL } = this.#config;
      signer = this.#newClient({ ...this.#config, ...parseHost(host, { endPoint, port, useSSL }) });
      this.#signers.set(host, signer);
    }
    return signer;
  }

  #newClient(endpoint: Endpoint): minio.Client {
    const { accessKey, secretKey, region } = this.#config;
    return new minio.Client({ ...endpoint, accessKey, secretKey, region, pathStyle: true });
  }
}
