import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { ObjectStore } from '@muster/object-store';
import { chunkObjectKey } from './chunk-id.js';

export class ChunkWriteError extends Error {
  override readonly name = 'ChunkWriteError';
}

/**
 * Chunks in the artifact bucket, stored once by id. A put never replaces a chunk that is
 * there, and checks that the server stored the very bytes sent (the ETag of a single-part put
 * is their MD5).
 */
export class ChunkStore {
  constructor(
    private readonly objects: ObjectStore,
    private readonly bucket: string,
  ) {}

  async has(sha256: string): Promise<boolean> {
    return (await this.objects.stat(this.bucket, chunkObjectKey(sha256))) !== undefined;
  }

  /** Stores the chunk unless it is there; true when this call stored it. */
  async putIfAbsent(sha256: string, stored: Buffer, length: number): Promise<boolean> {
    const key = chunkObjectKey(sha256);
    if (await this.objects.stat(this.bucket, key)) return false;
    const md5 = createHash('md5').update(stored).digest('hex');
    const result = await this.objects.put(this.bucket, key, stored, {
      size: stored.length,
      contentType: 'application/zstd',
      metadata: { 'chunk-length': String(length) },
    });
    if (result.etag.replace(/"/g, '') !== md5) {
      await this.objects.delete(this.bucket, key);
      throw new ChunkWriteError(
        `chunk ${sha256}: the server stored other bytes (etag ${result.etag}, sent ${md5})`,
      );
    }
    return true;
  }

  async get(sha256: string): Promise<Readable> {
    return this.objects.get(this.bucket, chunkObjectKey(sha256));
  }

  async delete(sha256s: readonly string[]): Promise<void> {
    await this.objects.deleteMany(this.bucket, sha256s.map(chunkObjectKey));
  }
}
