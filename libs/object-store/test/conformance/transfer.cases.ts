import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { beforeAll, expect, it } from 'vitest';
import { MultipartUploadNotFoundError, SizeMismatchError, type ObjectStore } from '../../src/index.js';
import { MiB, randomStream, readAll, sha256, type ConformanceContext } from './helpers.js';

/** Streaming and multipart uploads, presigned URLs, unusual keys. */
export function transferCases(ctx: ConformanceContext): void {
  let store: ObjectStore;
  beforeAll(() => {
    store = ctx.store();
  });
  const { freshBucket, options } = ctx;

  it('streams a large body of unknown size as a multipart upload', async () => {
    const bucket = await freshBucket();
    const size = 4 * options.partSize + 12_345;
    const body = randomStream(size);
    const put = await store.put(bucket, 'large/unknown-size', body.stream, {
      contentType: 'application/x-muster-chunk',
      metadata: { 'build-id': 'b-42' },
    });
    expect(put.size).toBe(size);
    const stat = await store.stat(bucket, 'large/unknown-size');
    expect(stat).toMatchObject({
      size,
      contentType: 'application/x-muster-chunk',
      metadata: { 'build-id': 'b-42' },
    });
    expect(sha256(await readAll(await store.get(bucket, 'large/unknown-size')))).toBe(body.digest());
  });

  it('checks an announced size: exact passes, shorter or longer stores nothing', async () => {
    const bucket = await freshBucket();
    const exact = randomStream(3 * options.partSize);
    await store.put(bucket, 'sized/exact', exact.stream, { size: 3 * options.partSize });
    expect((await store.stat(bucket, 'sized/exact'))?.size).toBe(3 * options.partSize);

    const short = randomStream(1_000);
    await expect(store.put(bucket, 'sized/short', short.stream, { size: 1_001 })).rejects.toBeInstanceOf(
      SizeMismatchError,
    );
    const long = randomStream(2 * options.partSize + 1);
    await expect(
      store.put(bucket, 'sized/long', long.stream, { size: options.partSize + 7 }),
    ).rejects.toBeInstanceOf(SizeMismatchError);
    expect(await store.stat(bucket, 'sized/short')).toBeUndefined();
    expect(await store.stat(bucket, 'sized/long')).toBeUndefined();
  });

  it('stores nothing when the body fails midway, and passes its error through', async () => {
    const bucket = await freshBucket();
    const failing = randomStream(4 * options.partSize, 2 * options.partSize + 64 * 1024);
    await expect(store.put(bucket, 'broken', failing.stream)).rejects.toThrow('body failed on purpose');
    expect(await store.stat(bucket, 'broken')).toBeUndefined();
    await store.put(bucket, 'broken', Buffer.from('a later put of the same key works'));
    expect((await readAll(await store.get(bucket, 'broken'))).toString()).toBe(
      'a later put of the same key works',
    );
  });

  it('reads a range across a part boundary of a multipart object', async () => {
    const bucket = await freshBucket();
    const data = randomBytes(2 * options.partSize + 10);
    await store.put(bucket, 'mp', Readable.from([data.subarray(0, 1_000), data.subarray(1_000)]));
    const start = options.partSize - 100;
    const got = await readAll(await store.get(bucket, 'mp', { range: { start, end: start + 199 } }));
    expect(got.equals(data.subarray(start, start + 200))).toBe(true);
  });

  it('presigns a GET that plain fetch() can use, bound to its host', async () => {
    const bucket = await freshBucket();
    const data = randomBytes(200_000);
    await store.put(bucket, 'p/get.bin', data);

    const url = await store.presignGet(bucket, 'p/get.bin', { expirySeconds: 300 });
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(sha256(new Uint8Array(await res.arrayBuffer()))).toBe(sha256(data));

    const publicUrl = await store.presignGet(bucket, 'p/get.bin', {
      expirySeconds: 300,
      host: options.alternateHost,
    });
    expect(new URL(publicUrl).host).toBe(options.alternateHost);
    const viaPublic = await fetch(publicUrl);
    expect(viaPublic.status).toBe(200);
    expect(sha256(new Uint8Array(await viaPublic.arrayBuffer()))).toBe(sha256(data));

    // Signed for one host, fetched through another: the signature does not match.
    const wrongHost = new URL(url);
    wrongHost.host = options.alternateHost;
    expect((await fetch(wrongHost)).status).toBe(403);
  });

  it('presigned GET URLs expire', async () => {
    const bucket = await freshBucket();
    await store.put(bucket, 'p/expiring', Buffer.from('soon gone'));
    const url = await store.presignGet(bucket, 'p/expiring', { expirySeconds: 1 });
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect((await fetch(url)).status).toBe(403);
  });

  it('presigns a PUT that plain fetch() can upload with', async () => {
    const bucket = await freshBucket();
    const data = randomBytes(300_000);
    const url = await store.presignPut(bucket, 'p/put.bin', { expirySeconds: 300 });
    const res = await fetch(url, { method: 'PUT', body: new Uint8Array(data) });
    expect(res.status).toBe(200);
    expect(sha256(await readAll(await store.get(bucket, 'p/put.bin')))).toBe(sha256(data));
  });

  it('keeps keys with spaces, plus signs, unicode and URL syntax intact', async () => {
    const bucket = await freshBucket();
    const key = 'dir/a b+c/ü%20?#&=.txt';
    await store.put(bucket, key, Buffer.from('odd key'));
    expect((await readAll(await store.get(bucket, key))).toString()).toBe('odd key');
    const listed: string[] = [];
    for await (const o of store.list(bucket, 'dir/a b+c/')) listed.push(o.key);
    expect(listed).toEqual([key]);
    const res = await fetch(await store.presignGet(bucket, key, { expirySeconds: 60 }));
    expect(await res.text()).toBe('odd key');
  });

  it('assembles an explicit multipart upload in part order, with its metadata', async () => {
    const bucket = await freshBucket();
    const one = randomBytes(5 * MiB);
    const two = randomBytes(1_024);
    const uploadId = await store.createMultipartUpload(bucket, 'explicit', {
      contentType: 'application/x-tar',
      metadata: { kind: 'image' },
    });
    const partTwo = await store.uploadPart(bucket, 'explicit', uploadId, 2, two);
    const partOne = await store.uploadPart(bucket, 'explicit', uploadId, 1, one);
    await store.completeMultipartUpload(bucket, 'explicit', uploadId, [partTwo, partOne]);
    const got = await readAll(await store.get(bucket, 'explicit'));
    expect(sha256(got)).toBe(sha256(Buffer.concat([one, two])));
    expect(await store.stat(bucket, 'explicit')).toMatchObject({
      contentType: 'application/x-tar',
      metadata: { kind: 'image' },
    });
  });

  it('discards an aborted multipart upload', async () => {
    const bucket = await freshBucket();
    const uploadId = await store.createMultipartUpload(bucket, 'aborted');
    const part = await store.uploadPart(bucket, 'aborted', uploadId, 1, randomBytes(1_000));
    await store.abortMultipartUpload(bucket, 'aborted', uploadId);
    await expect(store.completeMultipartUpload(bucket, 'aborted', uploadId, [part])).rejects.toBeInstanceOf(
      MultipartUploadNotFoundError,
    );
    await expect(store.uploadPart(bucket, 'aborted', uploadId, 2, randomBytes(10))).rejects.toBeInstanceOf(
      MultipartUploadNotFoundError,
    );
    expect(await store.stat(bucket, 'aborted')).toBeUndefined();
  });
}
