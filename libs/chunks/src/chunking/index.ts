export {
  CHUNKER_MAX_BYTES,
  DEFAULT_CHUNKER_OPTIONS,
  fastCdcBoundaries,
  fastCdcCut,
  fastCdcParams,
  type ChunkerOptions,
  type FastCdcParams,
} from './fastcdc.js';
export { chunkFile, type ChunkedFile, type ChunkingName, type CutChunk } from './chunk-file.js';
export { squashfsLayout, type DataRun, type SquashfsLayout } from './squashfs-layout.js';
export { NotSquashfsError, type CompressorName } from './squashfs-superblock.js';
