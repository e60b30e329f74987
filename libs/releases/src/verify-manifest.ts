import { createHash } from 'node:crypto';
import type { SignedRelease } from './release-document.schema.js';
import { ReleaseRefusedError } from './release-refusal.js';

/**
 * Checks a manifest's bytes against what a verified release names for `fileName`: the same
 * length and SHA-256. Returns the bytes; parsing them is @muster/chunks' `parseManifest`.
 */
export function verifyManifest(signed: SignedRelease, fileName: string, manifestBytes: Uint8Array): Buffer {
  const file = Object.hasOwn(signed.files, fileName) ? signed.files[fileName] : undefined;
  if (!file)
    throw new ReleaseRefusedError(
      'mix-and-match',
      `release ${signed.releaseId} names no file ${JSON.stringify(fileName)}`,
    );
  const bytes = Buffer.from(manifestBytes.buffer, manifestBytes.byteOffset, manifestBytes.byteLength);
  if (bytes.length !== file.manifest.length)
    throw new ReleaseRefusedError(
      'mix-and-match',
      `the manifest of ${fileName} is ${bytes.length} bytes; release ${signed.releaseId} names ${file.manifest.length}`,
    );
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== file.manifest.sha256)
    throw new ReleaseRefusedError(
      'mix-and-match',
      `the manifest of ${fileName} has SHA-256 ${sha256}; release ${signed.releaseId} names ${file.manifest.sha256}`,
    );
  return bytes;
}
