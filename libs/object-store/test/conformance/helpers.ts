import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ObjectStore } from '../../src/index.js';

export const MiB = 1024 * 1024;
export const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

export interface ConformanceOptions {
  /**
   * `host:port` of another name for the same server as the store's endpoint (e.g. `localhost:PORT`
   * for 127.0.0.1): a URL presigned for one host must fail when fetched through the other.
   */
  alternateHost: string;
  /** The store's multipart part size: streamed bodies are sized to need several parts. */
  partSize: number;
}

/** What the case files share: the store under test and a fresh bucket per test. */
export interface ConformanceContext {
  store: () => ObjectStore;
  freshBucket: (prefix?: string) => Promise<string>;
  options: ConformanceOptions;
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A stream of `size` random bytes in 64 KiB chunks, its length unknown to the reader; digest() once consumed. */
export function randomStream(size: number, failAfter?: number): { stream: Readable; digest: () => string } {
  const hash = createHash('sha256');
  let digest = '';
  function* generate() {
    for (let sent = 0; sent < size;) {
      if (failAfter !== undefined && sent >= failAfter) throw new Error('body failed on purpose');
      const chunk = randomBytes(Math.min(64 * 1024, size - sent));
      hash.update(chunk);
      sent += chunk.length;
      yield chunk;
    }
    digest = hash.digest('hex');
  }
  return { stream: Readable.from(generate()), digest: () => digest };
}
