import type { Manifest } from '@muster/chunks';

/** A local file that may already hold some of the target's chunks (e.g. the current A/B slot). */
export interface SyncSeed {
  path: string;
  /** What the seed is supposed to hold; checked chunk by chunk, never trusted. Without it the seed is cut by `chunkSeed`. */
  manifest?: Manifest;
}

/** A delivery base URL (site cache or origin) serving `POST /v1/chunks/fetch`. */
export interface SyncSource {
  url: string;
  name: string;
}

/**
 * Cuts a whole file into chunks, in order: `chunkFile` from `@muster/chunks` fits. It must cut
 * as the target's manifest was cut (same chunker and sizes) for its pieces to match.
 */
export type SeedChunker = (path: string) => AsyncIterable<{ bytes: Uint8Array }>;

export interface SyncOptions {
  manifest: Manifest;
  /** A file path or a block device path. */
  target: string;
  seeds?: SyncSeed[];
  /** Tried in order: site cache first, then origin. */
  sources: SyncSource[];
  /** Cuts a seed that has no manifest; without it such a seed is skipped (`seed-skipped`). */
  chunkSeed?: SeedChunker;
  /** Chunk-pack requests in flight at once. Default 4. */
  parallelism?: number;
  /** Stored (compressed) bytes asked for per request. Default 8 MiB. */
  batchBytes?: number;
  signal?: AbortSignal;
  onProgress?: (progress: SyncProgress) => void;
  onWarning?: (warning: SyncWarning) => void;
  /**
   * `auto` (default): a block device is written in place and never truncated, anything else is a
   * regular file, created or extended, then truncated to the manifest's length. `device` treats a
   * regular file like a device (written in place, its size kept).
   */
  targetKind?: 'auto' | 'file' | 'device';
  /** Where a device target's journal lives; without it a device gets no journal. */
  stateDir?: string;
  /** Keep `<target>.muster-sync`, the chunks known good, so a resume need not hash them again. Default true. */
  journal?: boolean;
  /** Requests for the rest of a batch that brought nothing new, before the next source is tried. Default 3. */
  retries?: number;
  /** First backoff before such a retry, doubled each time. Default 250 ms. */
  retryDelayMs?: number;
  /** A chunk-pack stream that brings no record for this long is treated as cut. Default 60 s. */
  stallTimeoutMs?: number;
}

export interface SyncProgress {
  totalBytes: number;
  /** Target bytes taken from local data (the target itself or a seed). */
  reusedBytes: number;
  /** Uncompressed bytes of the chunks fetched and verified (each distinct chunk once). */
  fetchedBytes: number;
  /** Stored bytes of the records received, a refused (corrupt) one included: what the network carried. */
  fetchedStoredBytes: number;
  /** Target bytes in place so far, every occurrence counted: reaches totalBytes. */
  doneBytes: number;
}

export type SyncWarning =
  | { kind: 'source-down'; source: string; error: string }
  | { kind: 'chunks-missing'; source: string; chunks: number }
  | { kind: 'stream-cut'; source: string; received: number; asked: number }
  | { kind: 'corrupt-chunk'; source: string; sha256: string; error: string }
  | { kind: 'seed-skipped'; path: string; reason: string }
  | { kind: 'stale-seed'; path: string; chunks: number }
  | { kind: 'full-download'; bytes: number; storedBytes: number }
  | { kind: 'journal-wrong'; path: string };

export interface SyncReport {
  totalBytes: number;
  reusedBytes: number;
  /** Reused bytes by where they came from: the target's or a seed's path. */
  reusedBySeed: Record<string, number>;
  fetchedBytes: number;
  fetchedStoredBytes: number;
  /** Stored bytes received, by source name. */
  bySource: Record<string, number>;
  /** Chunk-pack requests made. */
  requests: number;
  chunks: { total: number; distinct: number; reused: number; fetched: number };
  /** True when nothing local could be used (a `full-download` warning was given before fetching). */
  fullDownload: boolean;
}

export type SyncErrorReason =
  | 'corrupt-chunk'
  | 'missing-chunks'
  | 'no-source'
  | 'final-hash-mismatch'
  | 'target-too-small'
  | 'invalid-options';

export class SyncError extends Error {
  override readonly name = 'SyncError';
  constructor(
    readonly reason: SyncErrorReason,
    message: string,
  ) {
    super(`sync: ${message}`);
  }
}
