import { describe, expect, it } from 'vitest';
import { generateSigningKey, keyRing } from '@muster/command-signing';
import { canonicalJson } from '@muster/recipes';
import { exampleSigned } from '../test/release-fixture.js';
import { encodeRelease, signRelease } from './sign-release.js';

describe('signRelease and encodeRelease', () => {
  const ring = keyRing([generateSigningKey('a').key, generateSigningKey('b').key]);

  it('signs with every key of the ring, in its order', () => {
    const doc = signRelease(exampleSigned(), ring);
    expect(doc.signatures.map((s) => s.keyId)).toEqual(['a', 'b']);
    expect(doc.signatures.every((s) => Buffer.from(s.signature, 'base64').length === 64)).toBe(true);
  });

  it('encodes the document as canonical JSON', () => {
    const doc = signRelease(exampleSigned(), ring);
    const text = encodeRelease(doc).toString('utf8');
    expect(text).toBe(canonicalJson(doc));
    expect(text.startsWith('{"signatures":[{"keyId":"a","signature":"')).toBe(true);
    expect(text).toContain('"signed":{"architecture":"amd64","buildId":');
  });

  it('refuses to sign a release the verifier would refuse as malformed, naming the field', () => {
    expect(() => signRelease({ ...exampleSigned(), image: 'no spaces' }, ring)).toThrow(
      /cannot sign an invalid release[\s\S]*image/,
    );
  });
});
