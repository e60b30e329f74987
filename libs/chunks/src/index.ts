export { chunkObjectKey, isSha256Hex, MAX_CHUNK_BYTES, sha256Hex } from './chunk-id.js';
export {
  CHUNK_ZSTD_LEVEL,
  ChunkIntegrityError,
  compressChunk,
  decompressChunk,
  type ChunkIntegrityReason,
} from './chunk-codec.js';
export {
  CHUNK_PACK_MEDIA_TYPE,
  ChunkPackError,
  decodeChunkPack,
  encodeChunkPackHeader,
  MAX_CHUNKS_PER_FETCH,
  type ChunkPackErrorReason,
  type ChunkPackRecord,
  type DecodeChunkPackOptions,
} from './chunk-pack.js';
export { ChunkStore, ChunkWriteError } from './chunk-store.js';
export {
  DeliveryClient,
  DeliveryError,
  MAX_RELEASE_DOCUMENT_BYTES,
  MAX_STORED_CHUNK_BYTES,
  type DeliveryClientOptions,
  type DeliveryErrorReason,
} from './delivery-client.js';
export {
  distinctChunks,
  encodeManifest,
  MANIFEST_FORMAT,
  ManifestError,
  manifestId,
  manifestOf,
  MAX_MANIFEST_BYTES,
  MAX_MANIFEST_CHUNKS,
  parseManifest,
  type Manifest,
  type ManifestChunk,
  type ManifestErrorReason,
} from './manifest.js';
export { applyManifestPatch, MANIFEST_PATCH_MEDIA_TYPE, patchManifest } from './manifest-patch.js';
export { isSafeName, SAFE_NAME } from './names.js';
export {
  CHUNKER_MAX_BYTES,
  chunkFile,
  DEFAULT_CHUNKER_OPTIONS,
  fastCdcBoundaries,
  fastCdcCut,
  fastCdcParams,
  NotSquashfsError,
  squashfsLayout,
  type ChunkedFile,
  type ChunkerOptions,
  type ChunkingName,
  type CompressorName,
  type CutChunk,
  type DataRun,
  type FastCdcParams,
  type SquashfsLayout,
} from './chunking/index.js';
export { headersDeadline } from './headers-deadline.js';
