import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseKeyRing } from '@muster/command-signing';
import { ensureCommandSigningKeys } from './command-signing-keys.js';

describe('the local stack’s command-signing keys', () => {
  it('are made once, owner-only, and kept on the next start', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'muster-keys-')), 'command-signing-keys');
    const first = await ensureCommandSigningKeys(file, new Date('2026-11-30T10:00:00Z'));
    expect(parseKeyRing(first).signing.keyId).toBe('local-20261130');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await ensureCommandSigningKeys(file)).toBe(first);
    expect((await readFile(file, 'utf8')).trim()).toBe(first);
  });

  it('refuse a damaged key file rather than replace the keys agents trust', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'muster-keys-')), 'command-signing-keys');
    await writeFile(file, 'k1:AAAA\n');
    await expect(ensureCommandSigningKeys(file)).rejects.toThrow(/32 bytes/);
  });
});
