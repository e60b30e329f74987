import { describe, expect, inject, it } from 'vitest';
import { getFreePort, uniqueBucketName } from '@muster/testing';
import { AccessDeniedError, ObjectStoreUnavailableError, S3ObjectStore } from '../src/index.js';
import { describeObjectStoreConformance, randomStream, readAll } from './conformance.js';

// The radosgw (Ceph's S3 gateway) the harness started for this run; MinIO answers the same API.
const s3 = inject('servers').s3;
const PART_SIZE = 5 * 1024 * 1024;
const options = {
  endPoint: s3.endPoint,
  port: s3.port,
  useSSL: s3.useSSL,
  accessKey: s3.accessKey,
  secretKey: s3.secretKey,
  region: s3.region,
  pathStyle: true as const,
  partSize: PART_SIZE,
};

describeObjectStoreConformance('S3ObjectStore on radosgw', () => new S3ObjectStore(options), {
  alternateHost: `localhost:${s3.port}`,
  partSize: PART_SIZE,
});

describe('S3ObjectStore specifics', () => {
  it('uploads a stream of unknown size in parts of the configured size (the etag says how many)', async () => {
    const store = new S3ObjectStore(options);
    const bucket = uniqueBucketName('s3');
    await store.ensureBucket(bucket);
    const body = randomStream(3 * PART_SIZE + 1);
    const { etag } = await store.put(bucket, 'k', body.stream);
    expect(etag).toMatch(/-4$/);
    const small = await store.put(bucket, 'small', Buffer.alloc(PART_SIZE));
    expect(small.etag).not.toContain('-');
  });

  it('signs presigned URLs for its presignHost by default', async () => {
    const store = new S3ObjectStore({ ...options, presignHost: `http://localhost:${s3.port}` });
    const bucket = uniqueBucketName('s3');
    await store.ensureBucket(bucket);
    await store.put(bucket, 'k', Buffer.from('public'));
    const url = new URL(await store.presignGet(bucket, 'k', { expirySeconds: 60 }));
    expect(url.host).toBe(`localhost:${s3.port}`);
    expect(await (await fetch(url)).text()).toBe('public');
  });

  it('maps rejected credentials to AccessDeniedError', async () => {
    const store = new S3ObjectStore({ ...options, secretKey: 'not-the-secret' });
    await expect(store.ensureBucket(uniqueBucketName('s3'))).rejects.toBeInstanceOf(AccessDeniedError);
  });

  it('maps an unreachable server to ObjectStoreUnavailableError', async () => {
    const store = new S3ObjectStore({ ...options, port: await getFreePort() });
    await expect(store.stat(uniqueBucketName('s3'), 'k')).rejects.toBeInstanceOf(ObjectStoreUnavailableError);
  });

  it('validates its options', () => {
    expect(() => new S3ObjectStore({ ...options, partSize: 1024 })).toThrow(/partSize/);
    expect(() => new S3ObjectStore({ ...options, endPoint: '' })).toThrow(/endPoint/);
  });

  it('reads back what it wrote when the bucket is shared by concurrent writers', async () => {
    const store = new S3ObjectStore(options);
    const bucket = uniqueBucketName('s3');
    await store.ensureBucket(bucket);
    const writes = Array.from({ length: 8 }, (_, i) => store.put(bucket, `w/${i}`, Buffer.from(`v${i}`)));
    await Promise.all(writes);
    const values = await Promise.all(
      Array.from({ length: 8 }, async (_, i) =>
        (await readAll(await store.get(bucket, `w/${i}`))).toString(),
      ),
    );
    expect(values).toEqual(Array.from({ length: 8 }, (_, i) => `v${i}`));
  });
});
