import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BuildFailedError, type PackageRecord } from '@muster/image-builder';
import { S3ObjectStore } from '@muster/object-store';
import { uniqueBucketName } from '@muster/testing';
import { packageObjectKey } from '../src/storage/object-keys.js';
import { fetchKeptDeb, keepDeb, uploadVerified } from '../src/worker/build-storage.js';

// What a worker stores and reads back, against the real S3 server: every object is checked
// against the SHA-256 it should have.
let store: S3ObjectStore;
let bucket: string;
let dir: string;

beforeAll(async () => {
  store = new S3ObjectStore({ ...inject('servers').s3, pathStyle: true });
  bucket = uniqueBucketName('ib-storage');
  await store.ensureBucket(bucket);
  dir = await mkdtemp(join(tmpdir(), 'ib-storage-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function debFile(name: string, text: string): Promise<{ record: PackageRecord; path: string }> {
  const path = join(dir, `${name}.deb`);
  await writeFile(path, text);
  const record: PackageRecord = {
    name,
    version: '1.0',
    architecture: 'amd64',
    source: name,
    sourceVersion: '1.0',
    sha256: createHash('sha256').update(text).digest('hex'),
    sizeBytes: Buffer.byteLength(text),
    stanza: `Package: ${name}\nVersion: 1.0\n`,
  };
  return { record, path };
}

describe('kept packages', () => {
  it('are stored once per SHA-256: a second build finds the object and leaves it', async () => {
    const { record, path } = await debFile('hello', 'hello deb bytes');
    await expect(keepDeb(store, bucket, record, path)).resolves.toBe('stored');
    await expect(keepDeb(store, bucket, record, path)).resolves.toBe('kept');
    expect((await store.stat(bucket, packageObjectKey(record.sha256)))?.size).toBe(record.sizeBytes);
  });

  it('are not stored when the local .deb is not what the archive described', async () => {
    const { record, path } = await debFile('altered', 'the real bytes');
    await writeFile(path, 'the fake bytes');
    const err = await keepDeb(store, bucket, record, path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BuildFailedError);
    expect((err as BuildFailedError).message).toMatch(/hashes to [0-9a-f]{64}, not to the archive's/);
    expect(await store.stat(bucket, packageObjectKey(record.sha256))).toBeUndefined();
  });

  it('are fetched for a rebuild with their SHA-256 checked; a missing or altered one fails the build for good', async () => {
    const { record, path } = await debFile('kept', 'kept deb bytes');
    await keepDeb(store, bucket, record, path);
    const dest = join(dir, 'fetched.deb');
    await fetchKeptDeb(store, bucket, record, dest);
    expect(await readFile(dest, 'utf8')).toBe('kept deb bytes');

    const missing = await debFile('missing', 'never stored');
    const notThere = await fetchKeptDeb(store, bucket, missing.record, join(dir, 'm.deb')).catch(
      (e: unknown) => e,
    );
    expect(notThere).toMatchObject({ name: 'BuildFailedError', retryable: false });
    expect((notThere as Error).message).toMatch(/is missing/);

    await store.put(bucket, packageObjectKey(record.sha256), Buffer.from('tampered bytes'));
    const altered = await fetchKeptDeb(store, bucket, record, dest).catch((e: unknown) => e);
    expect(altered).toMatchObject({ name: 'BuildFailedError', retryable: false });
    expect((altered as Error).message).toMatch(/hashes to [0-9a-f]{64}, not/);
  });
});

describe('outputs', () => {
  it('are stored only as the builder hashed them', async () => {
    const path = join(dir, 'root.squashfs');
    await writeFile(path, 'squashfs bytes');
    const sha = createHash('sha256').update('squashfs bytes').digest('hex');
    await expect(uploadVerified(store, bucket, 'builds/x/root.squashfs', path, sha)).resolves.toBe(14);
    const wrong = await uploadVerified(store, bucket, 'builds/y/root.squashfs', path, 'f'.repeat(64)).catch(
      (e: unknown) => e,
    );
    expect(wrong).toBeInstanceOf(BuildFailedError);
    expect(await store.stat(bucket, 'builds/y/root.squashfs')).toBeUndefined();
  });
});
