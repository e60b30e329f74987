import { isSha256Hex, MAX_CHUNK_BYTES, sha256Hex } from './chunk-id.js';

export const MANIFEST_FORMAT = 'muster.manifest.v1';
/** Largest manifest accepted, in bytes of JSON: about 170,000 chunks, a 2.7 GiB file at 16 KiB. */
export const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;
export const MAX_MANIFEST_CHUNKS = 1_000_000;
const CHUNKING = /^[a-z0-9][a-z0-9.-]{0,31}$/;

export interface ManifestChunk {
  sha256: string;
  offset: number;
  length: number;
  /** Bytes of the stored zstd frame: what fetching the chunk costs. */
  storedLength: number;
}

/** A file as the chunk store knows it: its chunks in order, its length and its hash. */
export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  /** Which chunker cut it: `squashfs-v1` or `fastcdc-v1`. */
  chunking: string;
  length: number;
  sha256: string;
  chunks: ManifestChunk[];
}

export type ManifestErrorReason = 'malformed' | 'inconsistent' | 'too-large';

export class ManifestError extends Error {
  override readonly name = 'ManifestError';
  constructor(
    readonly reason: ManifestErrorReason,
    message: string,
  ) {
    super(`manifest: ${message}`);
  }
}

/**
 * The manifest's canonical bytes (sorted keys, no spaces); its id is their SHA-256. Each chunk is
 * `[sha256, length, storedLength]`: offsets follow from the lengths, and leaving them out keeps a
 * manifest patch small when one chunk is inserted early (every later offset would change).
 */
export function encodeManifest(manifest: Manifest): Buffer {
  const chunks = manifest.chunks
    .map((c) => `[${JSON.stringify(c.sha256)},${c.length},${c.storedLength}]`)
    .join(',');
  return Buffer.from(
    `{"chunking":${JSON.stringify(manifest.chunking)},"chunks":[${chunks}],"format":"${MANIFEST_FORMAT}",` +
      `"length":${manifest.length},"sha256":${JSON.stringify(manifest.sha256)}}`,
  );
}

/** A manifest from chunks cut in file order: offsets and the length follow from the chunks. */
export function manifestOf(
  chunking: string,
  sha256: string,
  chunks: readonly Omit<ManifestChunk, 'offset'>[],
): Manifest {
  let offset = 0;
  const placed = chunks.map((c) => {
    const chunk = { sha256: c.sha256, offset, length: c.length, storedLength: c.storedLength };
    offset += c.length;
    return chunk;
  });
  return { format: MANIFEST_FORMAT, chunking, length: offset, sha256, chunks: placed };
}

export function manifestId(bytes: Uint8Array): string {
  return sha256Hex(bytes);
}

function isCount(value: unknown, max = Number.MAX_SAFE_INTEGER): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= max;
}

/** A manifest from untrusted bytes: every field, every offset and the sum of lengths checked. */
export function parseManifest(bytes: Uint8Array): Manifest {
  if (bytes.length > MAX_MANIFEST_BYTES)
    throw new ManifestError('too-large', `${bytes.length} bytes, over the ${MAX_MANIFEST_BYTES} limit`);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new ManifestError('malformed', 'not JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new ManifestError('malformed', 'not an object');
  const { format, chunking, length, sha256, chunks, ...rest } = value as Record<string, unknown>;
  const unknownKeys = Object.keys(rest);
  if (unknownKeys.length > 0) throw new ManifestError('malformed', `unknown field ${unknownKeys[0]}`);
  if (format !== MANIFEST_FORMAT) throw new ManifestError('malformed', `format is not ${MANIFEST_FORMAT}`);
  if (typeof chunking !== 'string' || !CHUNKING.test(chunking))
    throw new ManifestError('malformed', 'chunking is not a chunker name');
  if (!isCount(length)) throw new ManifestError('malformed', 'length is not a byte count');
  if (!isSha256Hex(sha256)) throw new ManifestError('malformed', 'sha256 is not a SHA-256');
  if (!Array.isArray(chunks)) throw new ManifestError('malformed', 'chunks is not a list');
  if (chunks.length > MAX_MANIFEST_CHUNKS)
    throw new ManifestError('too-large', `${chunks.length} chunks, over the ${MAX_MANIFEST_CHUNKS} limit`);
  const parsed: ManifestChunk[] = new Array<ManifestChunk>(chunks.length);
  let offset = 0;
  for (let i = 0; i < chunks.length; i += 1) {
    const entry: unknown = chunks[i];
    if (!Array.isArray(entry) || entry.length !== 3)
      throw new ManifestError('malformed', `chunk ${i} is not [sha256, length, storedLength]`);
    const [id, size, stored] = entry as unknown[];
    if (!isSha256Hex(id)) throw new ManifestError('malformed', `chunk ${i}: id is not a SHA-256`);
    if (
      !isCount(size, MAX_CHUNK_BYTES) ||
      size === 0 ||
      !isCount(stored, MAX_CHUNK_BYTES + 65536) ||
      stored === 0
    )
      throw new ManifestError('malformed', `chunk ${i}: length or stored length out of range`);
    parsed[i] = { sha256: id, offset, length: size, storedLength: stored };
    offset += size;
  }
  if (offset !== length)
    throw new ManifestError('inconsistent', `chunks add up to ${offset} bytes, not the file's ${length}`);
  return { format: MANIFEST_FORMAT, chunking, length, sha256, chunks: parsed };
}

/** Distinct chunks of a manifest, each once, in first-use order. */
export function distinctChunks(manifest: Manifest): ManifestChunk[] {
  const seen = new Set<string>();
  return manifest.chunks.filter((c) => !seen.has(c.sha256) && seen.add(c.sha256));
}
