import { sign } from 'node:crypto';
import { z } from 'zod';
import type { KeyRing } from '@muster/command-signing';
import { canonicalJson } from '@muster/recipes';
import {
  releaseDocumentSchema,
  signedReleaseSchema,
  type ReleaseDocument,
  type SignedRelease,
} from './release-document.schema.js';

/** The bytes a signature covers: the canonical JSON of `signed`, UTF-8. */
export function signedBytes(signed: SignedRelease): Buffer {
  return Buffer.from(canonicalJson(signed), 'utf8');
}

/**
 * Signs with every key of the ring, in its order, so that machines trusting either the old or
 * the new key accept the document while keys rotate. Refuses (TypeError) a `signed` part that
 * verifyRelease would refuse as malformed.
 */
export function signRelease(signed: SignedRelease, ring: KeyRing): ReleaseDocument {
  const parsed = signedReleaseSchema.safeParse(signed);
  if (!parsed.success)
    throw new TypeError(`cannot sign an invalid release: ${z.prettifyError(parsed.error)}`);
  const bytes = signedBytes(parsed.data);
  const signatures = ring.keys.map((key) => ({
    keyId: key.keyId,
    signature: sign(null, bytes, key.privateKey).toString('base64'),
  }));
  return releaseDocumentSchema.parse({ signatures, signed: parsed.data });
}

/** The document as it is stored and served: canonical JSON, UTF-8. */
export function encodeRelease(doc: ReleaseDocument): Buffer {
  return Buffer.from(canonicalJson(doc), 'utf8');
}
