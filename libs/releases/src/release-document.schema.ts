import { MAX_MANIFEST_BYTES } from '@muster/chunks';
import { z } from 'zod';

export const RELEASE_FORMAT = 'muster.release.v1';
export const MAX_RELEASE_FILES = 64;
export const MAX_RELEASE_SIGNATURES = 32;
/** What verifyRelease reads by default: 64 files and 32 signatures fit in well under this. */
export const MAX_RELEASE_DOCUMENT_BYTES = 64 * 1024;
/** An image, architecture, channel, version, boot kind, model or file name. */
export const RELEASE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** As @muster/command-signing names its keys. */
const KEY_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const releaseName = z
  .string()
  .regex(RELEASE_NAME_PATTERN, "1–128 letters, digits, '.', '_' or '-', starting with a letter or digit");
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256, lower-case hex');
const count = z.int().min(0);
/** Exactly as `Date.prototype.toISOString` writes it, so that one instant has one spelling. */
const timestamp = z
  .string()
  .refine(
    (s) => !Number.isNaN(Date.parse(s)) && new Date(s).toISOString() === s,
    'an ISO 8601 UTC timestamp as toISOString writes it (2026-11-30T12:00:00.000Z)',
  );
const distinct = <T extends z.ZodType<string>>(item: T, max: number) =>
  z
    .array(item)
    .max(max)
    .refine((list) => new Set(list).size === list.length, 'no entry twice');

const releaseFileSchema = z.strictObject({
  length: count,
  sha256: sha256Hex,
  /** The file's manifest (@muster/chunks): the SHA-256 and length of its JSON bytes. */
  manifest: z.strictObject({ sha256: sha256Hex, length: z.int().min(1).max(MAX_MANIFEST_BYTES) }),
});

/** The part of a release document the signatures cover. */
export const signedReleaseSchema = z
  .strictObject({
    format: z.literal(RELEASE_FORMAT),
    releaseId: z.uuid(),
    image: releaseName,
    version: releaseName,
    /** Rises by one per published release of the same image and architecture. */
    sequence: count,
    architecture: releaseName,
    /** The channels the release was promoted to when this document was issued. */
    channels: distinct(releaseName, 64),
    issuedAt: timestamp,
    expiresAt: timestamp,
    /** The lowest sequence a machine may install from now on (0 = none). */
    rollbackFloor: count,
    compatibility: z.strictObject({
      architectures: distinct(releaseName, 32).min(1),
      boot: distinct(releaseName, 8).min(1),
      /** Empty: any model. */
      models: distinct(releaseName, 256),
    }),
    files: z
      .record(releaseName, releaseFileSchema)
      .refine((files) => Object.keys(files).length >= 1, 'at least one file')
      .refine(
        (files) => Object.keys(files).length <= MAX_RELEASE_FILES,
        `at most ${MAX_RELEASE_FILES} files`,
      ),
    buildId: z.uuid(),
    recipeDigest: sha256Hex,
  })
  .refine((s) => Date.parse(s.expiresAt) > Date.parse(s.issuedAt), {
    message: 'expiresAt must be after issuedAt',
    path: ['expiresAt'],
  })
  .refine((s) => s.rollbackFloor <= s.sequence, {
    message: 'rollbackFloor must not be above the release’s own sequence',
    path: ['rollbackFloor'],
  });

export const releaseSignatureSchema = z.strictObject({
  keyId: z.string().regex(KEY_ID_PATTERN, 'a key id as @muster/command-signing names keys'),
  /** Base64 Ed25519 over canonicalJson(signed). */
  signature: z.base64().max(128),
});

export const releaseDocumentSchema = z.strictObject({
  signatures: z
    .array(releaseSignatureSchema)
    .max(MAX_RELEASE_SIGNATURES)
    .refine((s) => new Set(s.map((x) => x.keyId)).size === s.length, 'one signature per key id'),
  signed: signedReleaseSchema,
});

export type SignedRelease = z.infer<typeof signedReleaseSchema>;
export type ReleaseFile = z.infer<typeof releaseFileSchema>;
export type ReleaseSignature = z.infer<typeof releaseSignatureSchema>;
export type ReleaseDocument = z.infer<typeof releaseDocumentSchema>;
