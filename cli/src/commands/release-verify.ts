import { DeliveryError, ManifestError, parseManifest, type Manifest } from '@muster/chunks';
import type { TrustedKey } from '@muster/command-signing';
import { ReleaseRefusedError, verifyManifest, verifyRelease, type SignedRelease } from '@muster/releases';
import {
  checkFileChunks,
  FileCheckError,
  type ChunkSource,
  type FileCheckOptions,
} from './release-file-check.js';

/** What `releases verify` reads: DeliveryClient against the origin or a site cache. */
export interface ReleaseSource extends ChunkSource {
  releaseDocument(releaseId: string, signal?: AbortSignal): Promise<Buffer>;
  manifest(sha256: string): Promise<Buffer>;
}

export interface VerifyCheck {
  check: 'document' | 'manifest' | 'file';
  /** The release file the check is about (not for the document). */
  file?: string;
  ok: boolean;
  /** Why it failed: a ReleaseRefusedError reason, 'gone', or a file's. */
  reason?: string;
  detail: string;
}

export interface VerifyReport {
  releaseId: string;
  verified: boolean;
  /** The first failure's reason. */
  reason?: string;
  checks: VerifyCheck[];
}

export interface VerifyOptions {
  trusted: readonly TrustedKey[];
  now: Date;
  /** Also fetch every chunk of every file and check it, and each file's SHA-256. */
  files: boolean;
  signal?: AbortSignal;
  /** Each check as it is decided. */
  onCheck?: (check: VerifyCheck) => void;
  onFileProgress?: (file: string, doneBytes: number, totalBytes: number) => void;
  fileCheck?: Pick<FileCheckOptions, 'batchChunks' | 'windowBytes'>;
}

/**
 * An operator's check of a release, against the keys the operator trusts (never what the server
 * says): the signed document, then each file's manifest against what the document names, and with
 * `files` every chunk and each whole file. A failure of the document ends the check; a file's
 * failure is recorded and the other files are still checked. Request failures (unreachable,
 * 404, 5xx) are thrown, not reported.
 */
export async function verifyReleaseFully(
  source: ReleaseSource,
  releaseId: string,
  options: VerifyOptions,
): Promise<VerifyReport> {
  const checks: VerifyCheck[] = [];
  const record = (c: VerifyCheck) => {
    checks.push(c);
    options.onCheck?.(c);
  };
  const report = (): VerifyReport => {
    const failed = checks.find((c) => !c.ok);
    return { releaseId, verified: !failed, ...(failed ? { reason: failed.reason } : {}), checks };
  };

  let signed: SignedRelease;
  try {
    const bytes = await source.releaseDocument(releaseId, options.signal);
    signed = verifyRelease(bytes, { trusted: options.trusted, now: options.now, expect: { releaseId } });
    record({ check: 'document', ok: true, detail: documentLine(signed, signers(bytes, options.trusted)) });
  } catch (err) {
    const failure = documentFailure(err, releaseId);
    if (!failure) throw err;
    record(failure);
    return report();
  }

  for (const [name, file] of Object.entries(signed.files).sort(([a], [b]) => a.localeCompare(b))) {
    let manifest: Manifest;
    try {
      manifest = parseManifest(verifyManifest(signed, name, await source.manifest(file.manifest.sha256)));
      if (manifest.length !== file.length || manifest.sha256 !== file.sha256) {
        throw new ReleaseRefusedError(
          'mix-and-match',
          `the manifest of ${name} describes ${manifest.length} bytes with SHA-256 ${manifest.sha256}; the release names ${file.length} bytes with ${file.sha256}`,
        );
      }
      record({
        check: 'manifest',
        file: name,
        ok: true,
        detail: `${file.manifest.sha256.slice(0, 12)}…: ${manifest.chunks.length} chunks (${manifest.chunking}), ${file.length} bytes`,
      });
    } catch (err) {
      const failure = manifestFailure(err, name);
      if (!failure) throw err;
      record(failure);
      continue;
    }
    if (!options.files) continue;
    try {
      const got = await checkFileChunks(source, manifest, {
        ...options.fileCheck,
        ...(options.signal ? { signal: options.signal } : {}),
        onProgress: (done) => options.onFileProgress?.(name, done, manifest.length),
      });
      record({
        check: 'file',
        file: name,
        ok: true,
        detail: `${manifest.length} bytes rebuilt from ${got.chunksFetched} distinct chunks (${got.storedBytes} stored bytes fetched); SHA-256 ${manifest.sha256.slice(0, 12)}… matches`,
      });
    } catch (err) {
      if (!(err instanceof FileCheckError)) throw err;
      record({ check: 'file', file: name, ok: false, reason: err.reason, detail: err.message });
    }
  }
  return report();
}

/** The trusted key ids whose signatures the (verified) document carries. */
function signers(bytes: Buffer, trusted: readonly TrustedKey[]): string[] {
  const doc = JSON.parse(bytes.toString('utf8')) as { signatures: { keyId: string }[] };
  return doc.signatures.map((s) => s.keyId).filter((id) => trusted.some((k) => k.keyId === id));
}

function documentLine(s: SignedRelease, keyIds: readonly string[]): string {
  const channels = s.channels.length > 0 ? `channels ${s.channels.join(',')}` : 'no channel';
  return `${s.image} ${s.version} (${s.architecture}), sequence ${s.sequence}, ${channels}, rollback floor ${s.rollbackFloor}; signed by ${keyIds.join(', ')}; expires ${s.expiresAt}`;
}

/** The refusal's own words, without the `release refused (reason): ` the check line says already. */
const refusalDetail = (err: ReleaseRefusedError) => err.message.replace(/^release refused \([^)]*\): /, '');

function documentFailure(err: unknown, releaseId: string): VerifyCheck | undefined {
  if (err instanceof ReleaseRefusedError)
    return { check: 'document', ok: false, reason: err.reason, detail: refusalDetail(err) };
  if (err instanceof DeliveryError && err.status === 410)
    return {
      check: 'document',
      ok: false,
      reason: 'gone',
      detail: `release ${releaseId} is revoked: the store serves no document for it (410 Gone)`,
    };
  if (err instanceof DeliveryError && err.reason === 'too-large')
    return { check: 'document', ok: false, reason: 'too-large', detail: err.message };
  return undefined;
}

function manifestFailure(err: unknown, file: string): VerifyCheck | undefined {
  if (err instanceof ReleaseRefusedError)
    return { check: 'manifest', file, ok: false, reason: err.reason, detail: refusalDetail(err) };
  if (err instanceof ManifestError)
    return { check: 'manifest', file, ok: false, reason: 'malformed', detail: err.message };
  // DeliveryClient checks the bytes against the id asked for before verifyManifest could.
  if (err instanceof DeliveryError && (err.reason === 'mismatch' || err.reason === 'too-large'))
    return {
      check: 'manifest',
      file,
      ok: false,
      reason: err.reason === 'mismatch' ? 'mix-and-match' : 'too-large',
      detail: err.message,
    };
  return undefined;
}
