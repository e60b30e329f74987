import { createHash } from 'node:crypto';
import {
  ChunkIntegrityError,
  decompressChunk,
  DeliveryError,
  MAX_CHUNKS_PER_FETCH,
  type ChunkPackRecord,
  type Manifest,
  type ManifestChunk,
} from '@muster/chunks';

/** Where chunks come from: DeliveryClient against the origin or a site cache. */
export interface ChunkSource {
  chunks(ids: readonly string[], signal?: AbortSignal): AsyncIterable<ChunkPackRecord>;
}

/** How much one window of a file holds in memory, uncompressed, before its bytes are hashed. */
export const WINDOW_BYTES = 64 * 1024 * 1024;

/** Why a file's bytes were refused. */
export type FileRefusal = ChunkIntegrityError['reason'] | 'missing-chunks' | 'file-mismatch';

export class FileCheckError extends Error {
  override readonly name = 'FileCheckError';
  constructor(
    readonly reason: FileRefusal,
    message: string,
  ) {
    super(message);
  }
}

export interface FileCheckOptions {
  /** Most distinct chunks asked for in one request. */
  batchChunks?: number;
  windowBytes?: number;
  signal?: AbortSignal;
  onProgress?: (doneBytes: number) => void;
}

/**
 * Rebuilds a file from its manifest's chunks, window by window in file order, checking each
 * chunk (decompressChunk: length and SHA-256) and, at the end, the whole file's length and
 * SHA-256. Nothing is written; at most one window is held in memory. Throws FileCheckError.
 */
export async function checkFileChunks(
  source: ChunkSource,
  manifest: Manifest,
  options: FileCheckOptions = {},
): Promise<{ chunksFetched: number; storedBytes: number }> {
  const hash = createHash('sha256');
  let done = 0;
  let chunksFetched = 0;
  let storedBytes = 0;
  for (const window of windows(manifest.chunks, options.windowBytes ?? WINDOW_BYTES)) {
    const ids = [...new Set(window.map((c) => c.sha256))];
    const stored = await fetchAll(source, ids, options.batchChunks ?? MAX_CHUNKS_PER_FETCH, options.signal);
    const distinct = new Map(window.map((c) => [c.sha256, c]));
    const byId = new Map(
      await Promise.all(
        [...distinct.values()].map(
          async (c) => [c.sha256, await decompressed(stored.get(c.sha256)!, c)] as const,
        ),
      ),
    );
    for (const c of window) {
      hash.update(byId.get(c.sha256)!);
      done += c.length;
    }
    chunksFetched += ids.length;
    for (const s of stored.values()) storedBytes += s.length;
    options.onProgress?.(done);
  }
  const sha256 = hash.digest('hex');
  if (done !== manifest.length || sha256 !== manifest.sha256) {
    throw new FileCheckError(
      'file-mismatch',
      `the chunks make ${done} bytes with SHA-256 ${sha256}, not the ${manifest.length} bytes with ${manifest.sha256} named`,
    );
  }
  return { chunksFetched, storedBytes };
}

/** Consecutive runs of the manifest whose distinct chunks stay within `budget` bytes. */
export function* windows(chunks: readonly ManifestChunk[], budget: number): Generator<ManifestChunk[]> {
  let window: ManifestChunk[] = [];
  let seen = new Set<string>();
  let bytes = 0;
  for (const c of chunks) {
    if (!seen.has(c.sha256) && window.length > 0 && bytes + c.length > budget) {
      yield window;
      window = [];
      seen = new Set();
      bytes = 0;
    }
    if (!seen.has(c.sha256)) {
      seen.add(c.sha256);
      bytes += c.length;
    }
    window.push(c);
  }
  if (window.length > 0) yield window;
}

async function decompressed(stored: Buffer, chunk: ManifestChunk): Promise<Buffer> {
  try {
    return await decompressChunk(stored, chunk);
  } catch (err) {
    if (err instanceof ChunkIntegrityError) throw new FileCheckError(err.reason, err.message);
    throw err;
  }
}

/**
 * The stored frames of `ids`, in batches; a pack that stops early is asked again for the rest,
 * and one that brings nothing twice over ends the check.
 */
async function fetchAll(
  source: ChunkSource,
  ids: readonly string[],
  batch: number,
  signal?: AbortSignal,
): Promise<Map<string, Buffer>> {
  const got = new Map<string, Buffer>();
  let idle = 0;
  while (got.size < ids.length) {
    const wanted = ids.filter((id) => !got.has(id)).slice(0, batch);
    const before = got.size;
    try {
      for await (const record of source.chunks(wanted, signal)) got.set(record.sha256, record.stored);
    } catch (err) {
      if (err instanceof DeliveryError && err.reason === 'not-found') {
        throw new FileCheckError(
          'missing-chunks',
          `the server holds none of ${err.missing.length || 'some'} chunk${err.missing.length === 1 ? '' : 's'} the manifest names${err.missing[0] ? ` (${err.missing[0]}…)` : ''}`,
        );
      }
      throw err;
    }
    idle = got.size === before ? idle + 1 : 0;
    if (idle >= 2)
      throw new Error(`the chunk fetch stopped twice before sending anything (${wanted.length} asked for)`);
  }
  return got;
}
