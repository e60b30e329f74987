export {
  MAX_RELEASE_DOCUMENT_BYTES,
  MAX_RELEASE_FILES,
  MAX_RELEASE_SIGNATURES,
  RELEASE_FORMAT,
  RELEASE_NAME_PATTERN,
  releaseDocumentSchema,
  releaseName,
  releaseSignatureSchema,
  signedReleaseSchema,
  type ReleaseDocument,
  type ReleaseFile,
  type ReleaseSignature,
  type SignedRelease,
} from './release-document.schema.js';
export { RELEASE_REFUSAL_REASONS, ReleaseRefusedError, type ReleaseRefusal } from './release-refusal.js';
export { encodeRelease, signRelease } from './sign-release.js';
export { readReleaseBytes } from './decode-release.js';
export { heldAfter, type HeldRelease } from './held-release.js';
export {
  verifyRelease,
  type ReleaseDevice,
  type ReleaseExpectation,
  type VerifyReleaseOptions,
} from './verify-release.js';
export { verifyManifest } from './verify-manifest.js';
