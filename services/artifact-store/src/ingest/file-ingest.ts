import { createHash } from 'node:crypto';
import {
  chunkFile,
  type ChunkStore,
  compressChunk,
  encodeManifest,
  manifestId,
  manifestOf,
  sha256Hex,
  type Manifest,
} from '@muster/chunks';
import type { ObjectStore } from '@muster/object-store';
import { type ChunkCatalogRepository } from '../chunks/chunk-catalog.repository.js';
import { eachLimited } from '../chunks/each-limited.js';
import { manifestObjectKey } from '../chunks/object-keys.js';

/** Chunks looked up (and their new ones uploaded) together: one query per batch. */
const BATCH_CHUNKS = 512;

export interface FileIngestDeps {
  catalog: ChunkCatalogRepository;
  chunks: ChunkStore;
  objects: ObjectStore;
  bucket: string;
  uploadConcurrency: number;
}

export interface FileIngestResult {
  manifest: Manifest;
  manifestBytes: Buffer;
  manifestSha256: string;
  /** Stored (zstd) bytes of the chunks this file added to the store. */
  newStoredBytes: number;
  newChunks: number;
  /** Uncompressed bytes of the file that were already stored (in this file or before). */
  reusedBytes: number;
}

interface Cut {
  sha256: string;
  length: number;
  bytes: Buffer;
}

/**
 * Chunks a file, stores the chunks the store lacks (only those are compressed and uploaded) and
 * then its manifest. The file's whole hash is computed from the same reads.
 */
export async function ingestFile(path: string, deps: FileIngestDeps): Promise<FileIngestResult> {
  const whole = createHash('sha256');
  const chunked = chunkFile(path);
  const entries: { sha256: string; length: number }[] = [];
  const stored = new Map<string, number>();
  const result = { newStoredBytes: 0, newChunks: 0, reusedBytes: 0 };
  let batch: Cut[] = [];

  const flush = async () => {
    const fresh = new Map<string, Cut>();
    for (const cut of batch) if (!stored.has(cut.sha256)) fresh.set(cut.sha256, cut);
    const held = await deps.catalog.touch([...fresh.keys()]);
    for (const [sha256, storedLength] of held) stored.set(sha256, storedLength);
    const missing = [...fresh.values()].filter((c) => !held.has(c.sha256));
    const rows: { sha256: string; length: number; storedLength: number }[] = [];
    await eachLimited(missing, deps.uploadConcurrency, async (cut) => {
      const frame = compressChunk(cut.bytes);
      await deps.chunks.putIfAbsent(cut.sha256, frame, cut.length);
      rows.push({ sha256: cut.sha256, length: cut.length, storedLength: frame.length });
    });
    await deps.catalog.record(rows);
    for (const row of rows) {
      stored.set(row.sha256, row.storedLength);
      result.newStoredBytes += row.storedLength;
      result.newChunks += 1;
    }
    const uploaded = new Set(rows.map((r) => r.sha256));
    for (const cut of batch) {
      if (uploaded.has(cut.sha256)) uploaded.delete(cut.sha256);
      else result.reusedBytes += cut.length;
    }
    batch = [];
  };

  for await (const chunk of chunked) {
    whole.update(chunk.bytes);
    const sha256 = sha256Hex(chunk.bytes);
    entries.push({ sha256, length: chunk.length });
    batch.push({ sha256, length: chunk.length, bytes: chunk.bytes });
    if (batch.length >= BATCH_CHUNKS) await flush();
  }
  await flush();

  const manifest = manifestOf(
    entries.length > 0 ? chunked.chunking() : 'fastcdc-v1',
    whole.digest('hex'),
    entries.map((e) => ({ ...e, storedLength: stored.get(e.sha256)! })),
  );
  const manifestBytes = encodeManifest(manifest);
  const manifestSha256 = manifestId(manifestBytes);
  const key = manifestObjectKey(manifestSha256);
  if (!(await deps.objects.stat(deps.bucket, key)))
    await deps.objects.put(deps.bucket, key, manifestBytes, { contentType: 'application/json' });
  await deps.catalog.recordManifest(manifestSha256, manifest, manifestBytes.length);
  return { manifest, manifestBytes, manifestSha256, ...result };
}
