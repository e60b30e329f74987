import { beforeAll, describe, expect, inject, it } from 'vitest';
import { buffer } from 'node:stream/consumers';
import { S3ObjectStore } from '@muster/object-store';
import { uniqueBucketName } from '@muster/testing';
import { chunkObjectKey, sha256Hex } from '../src/chunk-id.js';
import { compressChunk } from '../src/chunk-codec.js';
import { ChunkStore, ChunkWriteError } from '../src/chunk-store.js';

// Chunks in a real S3 bucket (radosgw): stored once, never replaced, checked as written.
let objects: S3ObjectStore;
let bucket: string;

beforeAll(async () => {
  objects = new S3ObjectStore({ ...inject('servers').s3, pathStyle: true });
  bucket = uniqueBucketName('chunks');
  await objects.ensureBucket(bucket);
});

describe('ChunkStore', () => {
  it('stores a chunk once and never replaces it', async () => {
    const store = new ChunkStore(objects, bucket);
    const bytes = Buffer.from('a chunk of an image'.repeat(100));
    const id = sha256Hex(bytes);
    expect(await store.has(id)).toBe(false);
    expect(await store.putIfAbsent(id, compressChunk(bytes), bytes.length)).toBe(true);
    expect(await store.putIfAbsent(id, compressChunk(Buffer.from('other bytes')), bytes.length)).toBe(false);
    expect(await buffer(await store.get(id))).toEqual(compressChunk(bytes));
    expect((await objects.stat(bucket, chunkObjectKey(id)))?.metadata['chunk-length']).toBe(
      String(bytes.length),
    );
  });

  it('removes what the server stored when it is not the bytes sent', async () => {
    class GarblingStore extends S3ObjectStore {
      override async put(...args: Parameters<S3ObjectStore['put']>) {
        return { ...(await super.put(...args)), etag: '00000000000000000000000000000000' };
      }
    }
    const lying = new GarblingStore({ ...inject('servers').s3, pathStyle: true });
    const store = new ChunkStore(lying, bucket);
    const bytes = Buffer.from('bytes the server garbled');
    const id = sha256Hex(bytes);
    await expect(store.putIfAbsent(id, compressChunk(bytes), bytes.length)).rejects.toBeInstanceOf(
      ChunkWriteError,
    );
    expect(await store.has(id)).toBe(false);
  });
});
