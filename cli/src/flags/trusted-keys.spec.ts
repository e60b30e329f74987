import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { generateSigningKey, publicKeyBytes } from '@muster/command-signing';
import { parseTrustedKey, parseTrustedKeysText } from './trusted-keys.js';

const key = generateSigningKey('release-2026').key;
const base64 = Buffer.from(publicKeyBytes(key)).toString('base64');

describe('trusted release keys', () => {
  it('parses <keyId>:<base64 public key> into the same public key', () => {
    const trusted = parseTrustedKey(`release-2026:${base64}`);
    expect(trusted.keyId).toBe('release-2026');
    expect(Buffer.from(publicKeyBytes(trusted)).toString('base64')).toBe(base64);
  });

  it('refuses what is not an id and a 32-byte key, as a usage error', () => {
    for (const bad of [base64, `:${base64}`, 'k:abc', `k:${base64.slice(1)}`, `bad id:${base64}`]) {
      expect(() => parseTrustedKey(bad), bad).toThrow(InvalidArgumentError);
    }
  });

  it('reads a keys file: one a line or comma separated, comments and blank lines skipped', () => {
    const other = Buffer.from(publicKeyBytes(generateSigningKey('b').key)).toString('base64');
    const keys = parseTrustedKeysText(
      `# release keys\nrelease-2026:${base64}  # current\n\nb:${other},c:${other}\n`,
    );
    expect(keys.map((k) => k.keyId)).toEqual(['release-2026', 'b', 'c']);
  });
});
