import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { trustedKeyFromBytes, type TrustedKey } from '@muster/command-signing';

// 32 bytes of Ed25519 public key in standard base64: 43 characters and one '='.
const PUBLIC_KEY_BASE64 = /^[A-Za-z0-9+/]{43}=$/;

/** `<keyId>:<base64 public key>` → a key to verify release documents against. */
export function parseTrustedKey(text: string): TrustedKey {
  const entry = text.trim();
  const colon = entry.lastIndexOf(':');
  const keyId = entry.slice(0, Math.max(0, colon));
  const base64 = entry.slice(colon + 1);
  if (colon <= 0 || !PUBLIC_KEY_BASE64.test(base64)) {
    throw new InvalidArgumentError(
      `"${text}" is not <keyId>:<base64 Ed25519 public key> (32 bytes, 44 base64 characters)`,
    );
  }
  try {
    return trustedKeyFromBytes(keyId, Buffer.from(base64, 'base64'));
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

/** Collects a repeatable `--key`. */
export function collectTrustedKeys(value: string, previous: TrustedKey[] = []): TrustedKey[] {
  return [...previous, parseTrustedKey(value)];
}

/**
 * The keys of a keys file: one `<keyId>:<base64 public key>` a line (or several, comma
 * separated); blank lines and `#` comments are skipped.
 */
export function parseTrustedKeysText(text: string): TrustedKey[] {
  return text
    .split('\n')
    .map((line) => line.replace(/#.*$/, ''))
    .flatMap((line) => line.split(','))
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map(parseTrustedKey);
}

/** `--keys-file F`, read as the option is parsed so a missing file is a usage error. */
export function readTrustedKeysFile(path: string): TrustedKey[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InvalidArgumentError(`cannot read ${path}: ${(err as Error).message}`);
  }
  const keys = parseTrustedKeysText(text);
  if (keys.length === 0) throw new InvalidArgumentError(`${path} holds no key`);
  return keys;
}
