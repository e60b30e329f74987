import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { isSha256Hex, MAX_CHUNK_BYTES, sha256Hex } from './chunk-id.js';
import { CHUNK_PACK_MEDIA_TYPE, decodeChunkPack, type ChunkPackRecord } from './chunk-pack.js';
import { applyManifestPatch, MANIFEST_PATCH_MEDIA_TYPE } from './manifest-patch.js';
import { MAX_MANIFEST_BYTES } from './manifest.js';
import { headersDeadline } from './headers-deadline.js';
import { isSafeName } from './names.js';

/** Largest signed release document a client reads. */
export const MAX_RELEASE_DOCUMENT_BYTES = 1024 * 1024;
/** Largest stored frame of a chunk: zstd may grow incompressible data by a little. */
export const MAX_STORED_CHUNK_BYTES = MAX_CHUNK_BYTES + 65536;

export type DeliveryErrorReason =
  'unreachable' | 'not-found' | 'server' | 'refused' | 'too-large' | 'mismatch';

export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  constructor(
    readonly reason: DeliveryErrorReason,
    message: string,
    readonly status?: number,
    /** For 'not-found' on a chunk fetch: the ids the server does not hold. */
    readonly missing: readonly string[] = [],
  ) {
    super(message);
  }
}

export interface DeliveryClientOptions {
  /** Per request, until the response headers arrive (the body may take longer). Default 30 s. */
  headersTimeoutMs?: number;
}

/**
 * Reads chunks, manifests and release documents from an origin (artifact-store) or a site cache:
 * both serve the same routes. Every answer is bounded in size; chunk bytes are not checked here
 * (decompressChunk does that) but manifests are checked against the id asked for.
 */
export class DeliveryClient {
  readonly baseUrl: string;
  private readonly headersTimeoutMs: number;

  constructor(baseUrl: string, options: DeliveryClientOptions = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.headersTimeoutMs = options.headersTimeoutMs ?? 30_000;
  }

  /** A manifest's bytes, as a patch against `base` when the client holds one. */
  async manifest(
    sha256: string,
    base?: { sha256: string; bytes: Uint8Array },
    signal?: AbortSignal,
  ): Promise<Buffer> {
    checkId(sha256);
    const query = base ? `?base=${checkId(base.sha256)}` : '';
    const response = await this.request(`/v1/manifests/${sha256}${query}`, { signal });
    const body = await readBounded(response, MAX_MANIFEST_BYTES);
    if (base && response.headers.get('content-type')?.startsWith(MANIFEST_PATCH_MEDIA_TYPE))
      return applyManifestPatch(base.bytes, body, sha256);
    if (sha256Hex(body) !== sha256)
      throw new DeliveryError('mismatch', `manifest ${sha256}: the bytes served hash otherwise`);
    return body;
  }

  /** One chunk's stored frame. */
  async chunk(sha256: string, signal?: AbortSignal): Promise<Buffer> {
    checkId(sha256);
    const response = await this.request(`/v1/chunks/${sha256}`, { signal });
    return readBounded(response, MAX_STORED_CHUNK_BYTES);
  }

  /**
   * Many chunks in one request, yielded as their records arrive. When the stream stops early the
   * iteration ends after the last whole record: ask again for the ids not yet seen.
   */
  async *chunks(ids: readonly string[], signal?: AbortSignal): AsyncGenerator<ChunkPackRecord> {
    ids.forEach(checkId);
    const response = await this.request('/v1/chunks/fetch', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: CHUNK_PACK_MEDIA_TYPE },
      body: JSON.stringify({ chunks: ids }),
      signal,
    });
    if (!response.body) return;
    const body = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
    try {
      yield* decodeChunkPack(body, { expected: ids, maxStoredLength: MAX_STORED_CHUNK_BYTES });
    } catch (error) {
      if ((error as Error).name === 'ChunkPackError' || (error as Error).name === 'AbortError') throw error;
      // A connection cut mid-stream ends the pack; what arrived whole was yielded.
    } finally {
      body.destroy();
    }
  }

  /** The signed release document of a release, unverified: verify it with @muster/releases. */
  async releaseDocument(releaseId: string, signal?: AbortSignal): Promise<Buffer> {
    const response = await this.request(`/v1/releases/${encodeURIComponent(releaseId)}/document`, { signal });
    return readBounded(response, MAX_RELEASE_DOCUMENT_BYTES);
  }

  /** The signed document of a channel's current release, unverified. */
  async channelDocument(
    channel: string,
    image: string,
    architecture: string,
    signal?: AbortSignal,
  ): Promise<Buffer> {
    for (const name of [channel, image, architecture])
      if (!isSafeName(name)) throw new DeliveryError('refused', `not a safe name: ${JSON.stringify(name)}`);
    const response = await this.request(`/v1/channels/${channel}/${image}/${architecture}`, { signal });
    return readBounded(response, MAX_RELEASE_DOCUMENT_BYTES);
  }

  private async request(
    path: string,
    init: RequestInit & { signal?: AbortSignal | undefined },
  ): Promise<Response> {
    const deadline = headersDeadline(this.headersTimeoutMs, init.signal);
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, { ...init, signal: deadline.signal });
      deadline.arrived();
    } catch (error) {
      deadline.arrived();
      if (init.signal?.aborted) throw init.signal.reason ?? error;
      throw new DeliveryError('unreachable', `${this.baseUrl}: ${(error as Error).message}`);
    }
    if (response.ok) return response;
    const text = await response.text().catch(() => '');
    let detail: { error?: string; missing?: string[] } = {};
    try {
      detail = JSON.parse(text) as typeof detail;
    } catch {
      // not JSON: the status says enough
    }
    const message = `${this.baseUrl}${path}: ${response.status} ${detail.error ?? text.slice(0, 200)}`;
    if (response.status === 404)
      throw new DeliveryError('not-found', message, 404, (detail.missing ?? []).filter(isSha256Hex));
    throw new DeliveryError(response.status >= 500 ? 'server' : 'refused', message, response.status);
  }
}

function checkId(id: string): string {
  if (!isSha256Hex(id)) throw new DeliveryError('refused', `not a SHA-256: ${JSON.stringify(id)}`);
  return id;
}

/** The whole body, refused as soon as it passes `limit` bytes (an endless answer costs no more). */
async function readBounded(response: Response, limit: number): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > limit) {
    await response.body?.cancel();
    throw new DeliveryError('too-large', `${response.url}: ${declared} bytes, over the ${limit} limit`);
  }
  const parts: Buffer[] = [];
  let total = 0;
  if (!response.body) return Buffer.alloc(0);
  for await (const piece of response.body as AsyncIterable<Uint8Array>) {
    total += piece.byteLength;
    if (total > limit) {
      await response.body.cancel().catch(() => undefined);
      throw new DeliveryError('too-large', `${response.url}: over the ${limit} limit`);
    }
    parts.push(Buffer.from(piece));
  }
  return Buffer.concat(parts, total);
}
