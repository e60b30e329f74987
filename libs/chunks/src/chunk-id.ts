import { createHash } from 'node:crypto';

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Largest chunk a chunker cuts, uncompressed. */
export const MAX_CHUNK_BYTES = 4 * 1024 * 1024;

export function isSha256Hex(value: unknown): value is string {
  return typeof value === 'string' && SHA256_HEX.test(value);
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Where a chunk's stored (zstd) form lives in the artifact bucket. */
export function chunkObjectKey(sha256: string): string {
  if (!isSha256Hex(sha256)) throw new TypeError(`not a chunk id: ${JSON.stringify(sha256)}`);
  return `chunks/sha256/${sha256.slice(0, 2)}/${sha256}.zst`;
}
