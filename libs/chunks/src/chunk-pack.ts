import type { Readable } from 'node:stream';

export const CHUNK_PACK_MEDIA_TYPE = 'application/vnd.muster.chunk-pack';
/** Most chunk ids one request may ask for. */
export const MAX_CHUNKS_PER_FETCH = 4096;
const HEADER_BYTES = 36;

export type ChunkPackErrorReason = 'unexpected-chunk' | 'too-long';

export class ChunkPackError extends Error {
  override readonly name = 'ChunkPackError';
  constructor(
    readonly reason: ChunkPackErrorReason,
    message: string,
  ) {
    super(`chunk pack: ${message}`);
  }
}

/** One record: the chunk's id as 32 raw bytes, its stored length (uint32 BE), its zstd frame. */
export function encodeChunkPackHeader(sha256: string, storedLength: number): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.write(sha256, 0, 32, 'hex');
  header.writeUInt32BE(storedLength, 32);
  return header;
}

export interface ChunkPackRecord {
  sha256: string;
  stored: Buffer;
}

export interface DecodeChunkPackOptions {
  /** The ids asked for, in order: a record for anything else, or out of order, is refused. */
  expected: readonly string[];
  /** Longest stored frame accepted. */
  maxStoredLength: number;
}

/**
 * The whole records of a chunk-pack stream, as they arrive. A stream that ends early ends the
 * iteration after the last whole record (the caller asks again for the rest); a partial record
 * is dropped, never returned.
 */
export async function* decodeChunkPack(
  body: Readable | AsyncIterable<Uint8Array>,
  options: DecodeChunkPackOptions,
): AsyncGenerator<ChunkPackRecord> {
  let next = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let need = HEADER_BYTES;
  let current: { sha256: string; length: number } | undefined;

  const take = (n: number): Buffer => {
    const all = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
    const head = all.subarray(0, n);
    const tail = all.subarray(n);
    pending = tail.length > 0 ? [tail] : [];
    pendingBytes = tail.length;
    return head;
  };

  for await (const raw of body) {
    const piece = raw as Uint8Array;
    pending.push(Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength));
    pendingBytes += piece.byteLength;
    while (pendingBytes >= need) {
      if (!current) {
        const header = take(HEADER_BYTES);
        const sha256 = header.subarray(0, 32).toString('hex');
        const length = header.readUInt32BE(32);
        if (options.expected[next] !== sha256)
          throw new ChunkPackError(
            'unexpected-chunk',
            `record ${next} is chunk ${sha256}, not ${options.expected[next] ?? 'nothing (all were sent)'}`,
          );
        if (length > options.maxStoredLength)
          throw new ChunkPackError(
            'too-long',
            `chunk ${sha256} is ${length} bytes stored, over ${options.maxStoredLength}`,
          );
        current = { sha256, length };
        need = length;
      } else {
        const stored = Buffer.from(take(current.length));
        yield { sha256: current.sha256, stored };
        next += 1;
        current = undefined;
        need = HEADER_BYTES;
      }
    }
  }
}
