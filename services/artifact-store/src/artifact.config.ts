import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envVar, intValue } from '@muster/config';
import { keyRingSetting, parseKeyRing, type KeyRing } from '@muster/command-signing';
import { z } from 'zod';

const DAY = 86_400;
const absolutePath = z.string().trim().regex(/^\//, { error: 'must be an absolute path' });

/** artifact-store's own settings, beside the common ones (S3). */
export function artifactConfig() {
  return {
    /**
     * The release-signing key ring, `<keyId>:<base64 seed>[,…]`. Every key signs each release
     * document, so agents that trust either the old or the new key accept it while keys rotate.
     */
    signingKeys: envVar('MUSTER_RELEASE_SIGNING_KEYS', keyRingSetting, { secret: true }),
    /** Lifetime of a signed release document; the store re-signs it when half of it is left. */
    documentTtlSeconds: envVar(
      'MUSTER_RELEASE_DOCUMENT_TTL_SECONDS',
      intValue({ min: 60, max: 365 * DAY }).default(7 * DAY),
    ),
    /** A chunk no release refers to is removed only after this long (covers uploads in progress). */
    gcGraceSeconds: envVar('MUSTER_GC_GRACE_SECONDS', intValue({ min: 0, max: 365 * DAY }).default(DAY)),
    /** How often garbage collection runs; 0 = only when asked (POST /v1/gc). */
    gcIntervalSeconds: envVar(
      'MUSTER_GC_INTERVAL_SECONDS',
      intValue({ min: 0, max: 30 * DAY }).default(3600),
    ),
    /** Newest releases kept per image and architecture even when nothing uses them. */
    keepReleases: envVar('MUSTER_RELEASE_KEEP', intValue({ min: 1, max: 1000 }).default(3)),
    /** Where build outputs are downloaded to while they are chunked. */
    workDir: envVar('MUSTER_INGEST_WORK_DIR', absolutePath.optional()),
    /** Chunk uploads in flight at once during ingest. */
    uploadConcurrency: envVar('MUSTER_INGEST_UPLOAD_CONCURRENCY', intValue({ min: 1, max: 256 }).default(16)),
    /**
     * Host that clients fetch presigned chunk URLs from (`GET /v1/chunks/{id}?redirect=presigned`);
     * unset: presigned redirects are refused and chunks are served through the store.
     */
    presignHost: envVar('MUSTER_ARTIFACT_PRESIGN_HOST', z.string().trim().min(1).optional()),
  };
}

export interface ArtifactSettings {
  keyRing: KeyRing;
  documentTtlSeconds: number;
  gcGraceSeconds: number;
  gcIntervalSeconds: number;
  keepReleases: number;
  workDir: string;
  uploadConcurrency: number;
  presignHost: string | undefined;
}

export const ARTIFACT_SETTINGS = Symbol('ARTIFACT_SETTINGS');

type ArtifactConfig = { [K in keyof ReturnType<typeof artifactConfig>]: unknown };

export function artifactSettings(
  config: {
    signingKeys: string;
    documentTtlSeconds: number;
    gcGraceSeconds: number;
    gcIntervalSeconds: number;
    keepReleases: number;
    workDir?: string | undefined;
    uploadConcurrency: number;
    presignHost?: string | undefined;
  } & ArtifactConfig,
): ArtifactSettings {
  return {
    keyRing: parseKeyRing(config.signingKeys),
    documentTtlSeconds: config.documentTtlSeconds,
    gcGraceSeconds: config.gcGraceSeconds,
    gcIntervalSeconds: config.gcIntervalSeconds,
    keepReleases: config.keepReleases,
    workDir: config.workDir ?? join(tmpdir(), 'muster-ingest'),
    uploadConcurrency: config.uploadConcurrency,
    presignHost: config.presignHost,
  };
}
