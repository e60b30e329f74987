import { constants, zstdCompressSync, zstdDecompressSync } from 'node:zlib';
import { sha256Hex } from './chunk-id.js';

/** zstd level 3: what mksquashfs and the delta figures use; fast enough to keep up with the chunker. */
export const CHUNK_ZSTD_LEVEL = 3;

export type ChunkIntegrityReason = 'corrupt' | 'too-long' | 'too-short' | 'hash-mismatch';

export class ChunkIntegrityError extends Error {
  override readonly name = 'ChunkIntegrityError';
  constructor(
    readonly reason: ChunkIntegrityReason,
    readonly sha256: string,
    message: string,
  ) {
    super(`chunk ${sha256}: ${message}`);
  }
}

/** The stored form of a chunk: one zstd frame that records its content size. */
export function compressChunk(bytes: Uint8Array): Buffer {
  return zstdCompressSync(bytes, {
    // One output buffer big enough for the frame: growing it in steps costs more than the compression.
    chunkSize: Math.max(64, bytes.length + 1024),
    params: {
      [constants.ZSTD_c_compressionLevel]: CHUNK_ZSTD_LEVEL,
      [constants.ZSTD_c_contentSizeFlag]: 1,
      [constants.ZSTD_c_checksumFlag]: 0,
    },
  });
}

/**
 * A chunk's bytes from its stored form, checked against its name. Decompression stops one byte
 * past `length`, so a frame that inflates without end costs no more than the chunk would. It
 * runs on the calling thread: node:zlib's asynchronous zstd costs several times more per chunk
 * than decompressing a chunk of at most 4 MiB does.
 */
// eslint-disable-next-line @typescript-eslint/require-await -- async so that every failure is a rejection
export async function decompressChunk(
  stored: Uint8Array,
  expected: { sha256: string; length: number },
): Promise<Buffer> {
  let bytes: Buffer;
  try {
    bytes = zstdDecompressSync(stored, {
      maxOutputLength: expected.length + 1,
      chunkSize: Math.max(64, expected.length + 1),
    });
  } catch (error) {
    if (error instanceof RangeError || (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
      throw new ChunkIntegrityError(
        'too-long',
        expected.sha256,
        `inflates past its ${expected.length} bytes`,
      );
    throw new ChunkIntegrityError(
      'corrupt',
      expected.sha256,
      `not a zstd frame: ${(error as Error).message}`,
    );
  }
  if (bytes.length > expected.length)
    throw new ChunkIntegrityError('too-long', expected.sha256, `inflates past its ${expected.length} bytes`);
  if (bytes.length < expected.length)
    throw new ChunkIntegrityError(
      'too-short',
      expected.sha256,
      `inflates to ${bytes.length} bytes, not ${expected.length}`,
    );
  const actual = sha256Hex(bytes);
  if (actual !== expected.sha256)
    throw new ChunkIntegrityError('hash-mismatch', expected.sha256, `content hashes to ${actual}`);
  return bytes;
}
