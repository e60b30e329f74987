import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import {
  headersDeadline,
  CHUNK_PACK_MEDIA_TYPE,
  decodeChunkPack,
  isSha256Hex,
  MAX_STORED_CHUNK_BYTES,
  type ChunkPackRecord,
} from '@muster/chunks';

/** The origin did not answer, or answered with a server error: serve what is held. */
export class OriginUnavailableError extends Error {
  override readonly name = 'OriginUnavailableError';
}

/** The origin does not hold it (404). */
export class OriginNotFoundError extends Error {
  override readonly name = 'OriginNotFoundError';
  constructor(
    message: string,
    readonly missing: readonly string[] = [],
  ) {
    super(message);
  }
}

/** The origin answered with something it may not: too large, or a refusal. */
export class OriginRefusedError extends Error {
  override readonly name = 'OriginRefusedError';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface RawAnswer {
  status: number;
  contentType: string;
  body: Buffer;
}

/**
 * The artifact store's delivery routes as the cache reads them: every body bounded, every byte
 * received counted (`onBytes`), a timeout until the answer's headers arrive.
 */
export class OriginClient {
  constructor(
    readonly baseUrl: string,
    private readonly onBytes: (bytes: number) => void,
    private readonly headersTimeoutMs = 30_000,
  ) {}

  /** One chunk's stored frame, with the uncompressed length the origin names. */
  async chunk(sha256: string): Promise<{ stored: Buffer; length: number | undefined }> {
    const response = await this.request(`/v1/chunks/${sha256}`);
    const declared = Number(response.headers.get('muster-chunk-length') ?? NaN);
    const stored = await this.read(response, MAX_STORED_CHUNK_BYTES);
    return { stored, length: Number.isSafeInteger(declared) && declared > 0 ? declared : undefined };
  }

  /**
   * Many chunks in one request: resolves once the origin has answered (a 404 naming the missing
   * ids throws here), then yields whole records as they arrive; a cut stream just ends early.
   */
  async pack(ids: readonly string[]): Promise<AsyncGenerator<ChunkPackRecord>> {
    const response = await this.request('/v1/chunks/fetch', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: CHUNK_PACK_MEDIA_TYPE },
      body: JSON.stringify({ chunks: ids }),
    });
    const counted = this.counted(response);
    return (async function* () {
      try {
        yield* decodeChunkPack(counted, { expected: ids, maxStoredLength: MAX_STORED_CHUNK_BYTES });
      } catch (error) {
        // A connection cut mid-stream ends the pack; a wrong record is the caller's to count.
        if ((error as Error).name === 'ChunkPackError') throw error;
      }
    })();
  }

  /** Whatever the origin answers at `path` (a document, a manifest patch), bounded; 5xx throws. */
  async raw(path: string, limit: number): Promise<RawAnswer> {
    const response = await this.request(path, {}, false);
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? 'application/octet-stream',
      body: await this.read(response, limit),
    };
  }

  private async request(path: string, init: RequestInit = {}, okOnly = true): Promise<Response> {
    let response: Response;
    const deadline = headersDeadline(this.headersTimeoutMs);
    try {
      response = await fetch(`${this.baseUrl}${path}`, { ...init, signal: deadline.signal });
      deadline.arrived();
    } catch (error) {
      deadline.arrived();
      throw new OriginUnavailableError(`${this.baseUrl}: ${(error as Error).message}`);
    }
    if (response.status >= 500) {
      await response.body?.cancel().catch(() => {});
      throw new OriginUnavailableError(`${this.baseUrl}${path}: ${response.status}`);
    }
    if (response.ok || !okOnly) return response;
    const text = await response.text().catch(() => '');
    if (response.status === 404) {
      let missing: string[] = [];
      try {
        const parsed = JSON.parse(text) as { missing?: unknown };
        if (Array.isArray(parsed.missing)) missing = parsed.missing.filter(isSha256Hex);
      } catch {
        // not JSON: nothing named
      }
      throw new OriginNotFoundError(`${this.baseUrl}${path}: 404`, missing);
    }
    throw new OriginRefusedError(
      `${this.baseUrl}${path}: ${response.status} ${text.slice(0, 200)}`,
      response.status,
    );
  }

  private async *counted(response: Response): AsyncGenerator<Uint8Array> {
    if (!response.body) return;
    const body = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
    try {
      for await (const piece of body) {
        this.onBytes((piece as Uint8Array).byteLength);
        yield piece as Uint8Array;
      }
    } finally {
      body.destroy();
    }
  }

  private async read(response: Response, limit: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let total = 0;
    try {
      for await (const piece of this.counted(response)) {
        total += piece.byteLength;
        if (total > limit) throw new OriginRefusedError(`${response.url}: over the ${limit}-byte limit`, 502);
        parts.push(Buffer.from(piece));
      }
    } catch (error) {
      if (error instanceof OriginRefusedError) throw error;
      throw new OriginUnavailableError(`${response.url}: ${(error as Error).message}`);
    }
    return Buffer.concat(parts, total);
  }
}
