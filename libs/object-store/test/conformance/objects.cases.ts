import { randomBytes } from 'node:crypto';
import { beforeAll, expect, it } from 'vitest';
import { uniqueBucketName } from '@muster/testing';
import {
  BucketNotFoundError,
  InvalidBucketNameError,
  InvalidMetadataError,
  InvalidRangeError,
  ObjectNotFoundError,
  type ObjectStore,
} from '../../src/index.js';
import { MiB, readAll, sha256, type ConformanceContext } from './helpers.js';

/** Buckets, bytes, ranges, stat, metadata, listing, deleting, missing things. */
export function objectCases(ctx: ConformanceContext): void {
  let store: ObjectStore;
  beforeAll(() => {
    store = ctx.store();
  });
  const { freshBucket } = ctx;

  it('ensureBucket is idempotent, also when called concurrently', async () => {
    const bucket = await freshBucket();
    await store.ensureBucket(bucket);
    const raced = uniqueBucketName('race');
    await Promise.all(Array.from({ length: 6 }, () => store.ensureBucket(raced)));
    await store.put(raced, 'k', Buffer.from('x'));
    await store.put(bucket, 'k', Buffer.from('y'));
    expect((await store.stat(raced, 'k'))?.size).toBe(1);
    expect((await store.stat(bucket, 'k'))?.size).toBe(1);
  });

  it('rejects an invalid bucket name', async () => {
    await expect(store.ensureBucket('Not_A_Bucket')).rejects.toBeInstanceOf(InvalidBucketNameError);
  });

  it('round-trips bytes from a Buffer, a Uint8Array view and an empty body', async () => {
    const bucket = await freshBucket();
    const data = randomBytes(MiB + 123);
    const put = await store.put(bucket, 'bytes/buffer', data);
    expect(put.size).toBe(data.length);
    expect(put.etag).not.toBe('');
    expect(sha256(await readAll(await store.get(bucket, 'bytes/buffer')))).toBe(sha256(data));

    const backing = randomBytes(4_096);
    const view = new Uint8Array(backing.buffer, backing.byteOffset + 100, 1_000);
    await store.put(bucket, 'bytes/view', view);
    expect((await readAll(await store.get(bucket, 'bytes/view'))).equals(Buffer.from(view))).toBe(true);

    await store.put(bucket, 'bytes/empty', Buffer.alloc(0));
    expect((await readAll(await store.get(bucket, 'bytes/empty'))).length).toBe(0);
    expect((await store.stat(bucket, 'bytes/empty'))?.size).toBe(0);
  });

  it('reads ranges, both ends inclusive; an end past the object is clamped', async () => {
    const bucket = await freshBucket();
    const data = Buffer.from(Array.from({ length: 1_000 }, (_, i) => i % 256));
    await store.put(bucket, 'r', data);
    const read = async (start: number, end?: number) =>
      readAll(await store.get(bucket, 'r', { range: { start, end } }));
    expect([...(await read(0, 0))]).toEqual([0]);
    expect((await read(10, 19)).equals(data.subarray(10, 20))).toBe(true);
    expect((await read(990)).equals(data.subarray(990))).toBe(true);
    expect((await read(995, 5_000)).equals(data.subarray(995))).toBe(true);
    await expect(store.get(bucket, 'r', { range: { start: 1_000 } })).rejects.toBeInstanceOf(
      InvalidRangeError,
    );
    await expect(store.get(bucket, 'r', { range: { start: 5, end: 4 } })).rejects.toBeInstanceOf(
      InvalidRangeError,
    );
    await expect(store.get(bucket, 'r', { range: { start: -1, end: 4 } })).rejects.toBeInstanceOf(
      InvalidRangeError,
    );
  });

  it('stats an object, and returns undefined for a missing key or bucket', async () => {
    const bucket = await freshBucket();
    const before = Date.now();
    await store.put(bucket, 's', Buffer.from('hello'), {
      contentType: 'text/plain',
      metadata: { sha256: sha256(Buffer.from('hello')), 'n-1': 'x y' },
    });
    const stat = await store.stat(bucket, 's');
    expect(stat?.size).toBe(5);
    expect(stat?.etag).toMatch(/^[0-9a-f-]+$/);
    expect(stat?.contentType).toBe('text/plain');
    expect(stat?.metadata).toEqual({ sha256: sha256(Buffer.from('hello')), 'n-1': 'x y' });
    expect(Math.abs((stat?.lastModified.getTime() ?? 0) - before)).toBeLessThan(5 * 60_000);
    expect(await store.stat(bucket, 'missing')).toBeUndefined();
    expect(await store.stat(uniqueBucketName('nobucket'), 's')).toBeUndefined();
  });

  it('rejects metadata that cannot round-trip', async () => {
    const bucket = await freshBucket();
    await expect(
      store.put(bucket, 'm', Buffer.from('x'), { metadata: { 'Content-Type': 'x' } }),
    ).rejects.toBeInstanceOf(InvalidMetadataError);
    await expect(
      store.put(bucket, 'm', Buffer.from('x'), { metadata: { note: 'naïve' } }),
    ).rejects.toBeInstanceOf(InvalidMetadataError);
    expect(await store.stat(bucket, 'm')).toBeUndefined();
  });

  it('lists by prefix over many pages, then deletes them all', async () => {
    const bucket = await freshBucket();
    const keys = Array.from({ length: 1_100 }, (_, i) => `many/${String(i).padStart(5, '0')}`);
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(keys.slice(i, i + 50).map((k) => store.put(bucket, k, Buffer.from(k))));
    }
    await Promise.all(
      ['other/a', 'other/b', 'other/c', 'manyx'].map((k) => store.put(bucket, k, Buffer.from(k))),
    );

    const listed: string[] = [];
    for await (const o of store.list(bucket, 'many/')) {
      expect(o.size).toBe(Buffer.byteLength(o.key));
      listed.push(o.key);
    }
    expect(listed).toEqual(keys);
    const small: string[] = [];
    for await (const o of store.list(bucket, 'other/', { pageSize: 2 })) small.push(o.key);
    expect(small).toEqual(['other/a', 'other/b', 'other/c']);
    let all = 0;
    for await (const o of store.list(bucket, '', { pageSize: 300 })) all += o.key ? 1 : 0;
    expect(all).toBe(1_104);

    await store.deleteMany(bucket, keys);
    const left: string[] = [];
    for await (const o of store.list(bucket)) left.push(o.key);
    expect(left).toEqual(['manyx', 'other/a', 'other/b', 'other/c']);
  });

  it('deletes one object; deleting a missing key succeeds', async () => {
    const bucket = await freshBucket();
    await store.put(bucket, 'd', Buffer.from('x'));
    await store.delete(bucket, 'd');
    expect(await store.stat(bucket, 'd')).toBeUndefined();
    await expect(store.get(bucket, 'd')).rejects.toBeInstanceOf(ObjectNotFoundError);
    await store.delete(bucket, 'd');
    await store.deleteMany(bucket, []);
  });

  it('reports a missing key or bucket with named errors', async () => {
    const bucket = await freshBucket();
    const missing = store.get(bucket, 'no/such/key');
    await expect(missing).rejects.toBeInstanceOf(ObjectNotFoundError);
    await expect(missing).rejects.toMatchObject({ bucket, key: 'no/such/key', code: 'ObjectNotFound' });
    const noBucket = uniqueBucketName('nobucket');
    await expect(store.get(noBucket, 'k')).rejects.toBeInstanceOf(BucketNotFoundError);
    await expect(store.put(noBucket, 'k', Buffer.from('x'))).rejects.toBeInstanceOf(BucketNotFoundError);
    await expect(store.list(noBucket)[Symbol.asyncIterator]().next()).rejects.toBeInstanceOf(
      BucketNotFoundError,
    );
  });
}
