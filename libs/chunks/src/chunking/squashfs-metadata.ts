import { inflateSync, zstdDecompressSync } from 'node:zlib';
import { type CompressorName, NotSquashfsError } from './squashfs-superblock.js';

/** A metadata block holds at most 8 KiB once decompressed. */
const METADATA_BLOCK_BYTES = 8192;
const UNCOMPRESSED_BIT = 0x8000;

function decompress(compressor: CompressorName, data: Buffer): Buffer {
  const limit = { maxOutputLength: METADATA_BLOCK_BYTES };
  try {
    if (compressor === 'zstd') return zstdDecompressSync(data, limit);
    if (compressor === 'gzip') return inflateSync(data, limit);
  } catch (error) {
    throw new NotSquashfsError(
      `a ${compressor} metadata block does not decompress: ${(error as Error).message}`,
    );
  }
  throw new NotSquashfsError(`${compressor} metadata blocks are not read here (zstd and gzip are)`);
}

/**
 * The decompressed bytes of the metadata blocks in `table` (the raw bytes of a table from its
 * start to the next table's), concatenated: entries may straddle two blocks.
 */
export function readMetadataBlocks(table: Buffer, compressor: CompressorName): Buffer {
  const parts: Buffer[] = [];
  for (let at = 0; at < table.length;) {
    if (at + 2 > table.length) throw new NotSquashfsError('a metadata block header is cut off');
    const header = table.readUInt16LE(at);
    const size = header & ~UNCOMPRESSED_BIT;
    const body = table.subarray(at + 2, at + 2 + size);
    if (size === 0 || body.length !== size) throw new NotSquashfsError('a metadata block is cut off');
    parts.push(header & UNCOMPRESSED_BIT ? body : decompress(compressor, body));
    at += 2 + size;
  }
  return Buffer.concat(parts);
}
