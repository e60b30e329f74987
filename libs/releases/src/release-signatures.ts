import { verify } from 'node:crypto';
import type { TrustedKey } from '@muster/command-signing';
import type { ReleaseDocument } from './release-document.schema.js';
import { ReleaseRefusedError } from './release-refusal.js';
import { signedBytes } from './sign-release.js';

/**
 * Accepts a document when at least one signature is by a trusted key and every signature by a
 * trusted key verifies; signatures by keys not trusted are ignored (a machine that has not yet
 * learnt a new key still accepts what its old key signed).
 */
export function checkSignatures(doc: ReleaseDocument, trusted: readonly TrustedKey[]): void {
  if (doc.signatures.length === 0)
    throw new ReleaseRefusedError('unsigned', `release ${doc.signed.releaseId} carries no signature`);
  const byTrustedKey = doc.signatures.flatMap((signature) => {
    const key = trusted.find((k) => k.keyId === signature.keyId);
    return key ? [{ signature, key }] : [];
  });
  if (byTrustedKey.length === 0) {
    const ids = doc.signatures.map((s) => JSON.stringify(s.keyId)).join(', ');
    throw new ReleaseRefusedError(
      'unknown-key',
      `release ${doc.signed.releaseId} is signed only by keys not trusted here: ${ids}`,
    );
  }
  const bytes = signedBytes(doc.signed);
  for (const { signature, key } of byTrustedKey) {
    if (key.publicKey.asymmetricKeyType !== 'ed25519')
      throw new TypeError(`trusted key ${key.keyId} is not an Ed25519 public key`);
    const raw = Buffer.from(signature.signature, 'base64');
    if (raw.length !== 64 || !verify(null, bytes, key.publicKey, raw))
      throw new ReleaseRefusedError(
        'bad-signature',
        `the signature by key ${signature.keyId} does not verify over release ${doc.signed.releaseId}`,
      );
  }
}
