import { constants, zstdCompressSync, zstdDecompressSync } from 'node:zlib';
import { sha256Hex } from './chunk-id.js';
import { MAX_MANIFEST_BYTES, ManifestError } from './manifest.js';

export const MANIFEST_PATCH_MEDIA_TYPE = 'application/vnd.muster.manifest-patch+zstd';

/**
 * Manifest `target` as a zstd frame that uses `base` (a manifest the client holds) as its
 * dictionary: the unchanged chunk entries cost a few bytes each instead of their hashes.
 */
export function patchManifest(base: Uint8Array, target: Uint8Array): Buffer {
  return zstdCompressSync(target, {
    dictionary: base,
    params: {
      [constants.ZSTD_c_compressionLevel]: 6,
      // The window must reach back over the whole dictionary, and the match finder's tables must
      // be large enough to index it: with the defaults most of a 1.5 MB base goes unseen.
      [constants.ZSTD_c_windowLog]: 25,
      [constants.ZSTD_c_hashLog]: 23,
      [constants.ZSTD_c_chainLog]: 23,
    },
  });
}

/** The manifest a patch makes from `base`, checked against the id the release names. */
export function applyManifestPatch(base: Uint8Array, patch: Uint8Array, expectedSha256: string): Buffer {
  let bytes: Buffer;
  try {
    bytes = zstdDecompressSync(patch, {
      dictionary: base,
      maxOutputLength: MAX_MANIFEST_BYTES,
      params: { [constants.ZSTD_d_windowLogMax]: 25 },
    });
  } catch (error) {
    if (error instanceof RangeError)
      throw new ManifestError('too-large', 'patch inflates past the manifest limit');
    throw new ManifestError('malformed', `patch does not apply: ${(error as Error).message}`);
  }
  const actual = sha256Hex(bytes);
  if (actual !== expectedSha256)
    throw new ManifestError('inconsistent', `patched manifest hashes to ${actual}, not ${expectedSha256}`);
  return bytes;
}
