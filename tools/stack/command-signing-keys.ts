import { readFile, writeFile } from 'node:fs/promises';
import { generateSigningKey, keyRingEntry, parseKeyRing } from '@muster/command-signing';

/**
 * The local stack's command-signing key ring (MUSTER_COMMAND_SIGNING_KEYS of agent-gateway):
 * made once under the stack's home, readable by its owner only, and kept across starts so that
 * enrolled agents keep trusting it.
 */
export async function ensureCommandSigningKeys(file: string, now = new Date()): Promise<string> {
  return ensureKeyRing(file, 'local', now);
}

/**
 * A key ring kept in `file` (made on the first call, mode 0600): the local stack's
 * release-signing keys (MUSTER_RELEASE_SIGNING_KEYS of artifact-store) use the same form.
 */
export async function ensureKeyRing(file: string, prefix: string, now = new Date()): Promise<string> {
  try {
    const kept = (await readFile(file, 'utf8')).trim();
    parseKeyRing(kept);
    return kept;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const keyId = `${prefix}-${now.toISOString().slice(0, 10).replace(/-/g, '')}`;
  const entry = keyRingEntry(keyId, generateSigningKey(keyId).seed);
  await writeFile(file, `${entry}\n`, { mode: 0o600 });
  return entry;
}
