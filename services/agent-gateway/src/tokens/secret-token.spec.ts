import { describe, expect, it } from 'vitest';
import { hashSecret, newSecretToken, parseSecretToken, secretMatches } from './secret-token.js';

describe('secret tokens', () => {
  it('round-trip through their text, with a secret of 256 bits', () => {
    for (let i = 0; i < 50; i++) {
      const token = newSecretToken('mbt');
      expect(token.text).toMatch(/^mbt_[0-9a-f]{20}_[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(token.secret, 'base64url')).toHaveLength(32);
      expect(parseSecretToken('mbt', token.text)).toEqual({ id: token.id, secret: token.secret });
    }
  });

  it('refuse another kind, a wrong shape or a truncated secret', () => {
    const token = newSecretToken('mac');
    expect(parseSecretToken('mbt', token.text)).toBeUndefined();
    expect(parseSecretToken('mac', token.text.slice(0, -1))).toBeUndefined();
    expect(parseSecretToken('mac', `mac_${token.id}`)).toBeUndefined();
    expect(parseSecretToken('mac', `mac_XYZ_${token.secret}`)).toBeUndefined();
    expect(parseSecretToken('mac', '')).toBeUndefined();
  });

  it('match only the secret whose hash is stored', () => {
    const a = newSecretToken('mac');
    const b = newSecretToken('mac');
    expect(secretMatches(a.secret, hashSecret(a.secret))).toBe(true);
    expect(secretMatches(b.secret, hashSecret(a.secret))).toBe(false);
    expect(secretMatches(a.secret, new Uint8Array(3))).toBe(false);
  });
});
