import { Inject, Injectable } from '@nestjs/common';
import { ChunkIntegrityError, decompressChunk, MAX_CHUNK_BYTES } from '@muster/chunks';
import { CacheStats, type RefusalReason } from '../status/cache-stats.js';
import { ChunkLengths } from './chunk-lengths.js';
import { frameContentSize } from './zstd-frame.js';

/** A chunk failed verification: it is neither stored nor served. */
export class ChunkRefusedError extends Error {
  override readonly name = 'ChunkRefusedError';
  constructor(
    readonly reason: RefusalReason,
    readonly sha256: string,
    message: string,
  ) {
    super(`chunk ${sha256} refused (${reason}): ${message}`);
  }
}

/**
 * Checks a stored frame against its name before it is kept or sent: decompression bounded by
 * the chunk's length — from a manifest, else what the origin said, else what the frame itself
 * declares (at most MAX_CHUNK_BYTES) — then the length and the SHA-256 of the bytes. Refusals
 * are counted by reason. Returns the exact uncompressed length.
 */
@Injectable()
export class ChunkVerifier {
  constructor(
    @Inject(ChunkLengths) private readonly lengths: ChunkLengths,
    @Inject(CacheStats) private readonly stats: CacheStats,
  ) {}

  async verify(sha256: string, stored: Uint8Array, lengthHint?: number): Promise<number> {
    const length = this.lengths.get(sha256) ?? lengthHint ?? frameContentSize(stored);
    if (length === undefined || length < 1 || length > MAX_CHUNK_BYTES) {
      this.stats.refused('length-unknown');
      throw new ChunkRefusedError('length-unknown', sha256, 'no length to bound its decompression');
    }
    try {
      await decompressChunk(stored, { sha256, length });
    } catch (error) {
      if (!(error instanceof ChunkIntegrityError)) throw error;
      this.stats.refused(error.reason);
      throw new ChunkRefusedError(error.reason, sha256, error.message);
    }
    this.lengths.set(sha256, length);
    return length;
  }
}
