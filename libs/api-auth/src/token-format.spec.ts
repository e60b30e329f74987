import { describe, expect, it } from 'vitest';
import { mintToken, parseToken, tokenSecretHash, tokenSecretMatches } from './token-format.js';

describe('operator API tokens', () => {
  it('are mst_<16 hex id>_<256-bit secret>, and parse back to their id and secret', () => {
    const minted = mintToken();
    expect(minted.token).toMatch(/^mst_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    const parsed = parseToken(minted.token)!;
    expect(parsed.tokenId).toBe(minted.tokenId);
    expect(Buffer.from(parsed.secret, 'base64url')).toHaveLength(32);
    expect(tokenSecretHash(parsed.secret)).toBe(minted.secretHash);
  });

  it('never repeat a secret, and the stored hash is not the secret', () => {
    const a = mintToken();
    const b = mintToken();
    expect(a.token).not.toBe(b.token);
    expect(a.token).not.toContain(a.secretHash);
  });

  it('refuse anything that is not exactly a token', () => {
    const { token } = mintToken();
    for (const bad of [
      '',
      'mst_',
      token.slice(0, -1),
      `${token}x`,
      token.replace('mst_', 'msx_'),
      ` ${token}`,
    ]) {
      expect(parseToken(bad), bad).toBeUndefined();
    }
  });

  it('match a secret only against its own hash', () => {
    const a = mintToken();
    const b = mintToken();
    expect(tokenSecretMatches(parseToken(a.token)!.secret, a.secretHash)).toBe(true);
    expect(tokenSecretMatches(parseToken(b.token)!.secret, a.secretHash)).toBe(false);
    expect(tokenSecretMatches(parseToken(a.token)!.secret, 'abcd')).toBe(false);
  });
});
