import { createHash } from 'node:crypto';
import type { HardwareIdentity } from './hardware-identity.js';

export type IdentityKeyKind = 'smbios_uuid' | 'serial' | 'mac';

export interface IdentityKey {
  kind: IdentityKeyKind;
  value: string;
}

/** Every key a normalized identity can be recognised by: its UUID, its serial, each MAC. */
export function identityKeys(identity: HardwareIdentity): IdentityKey[] {
  const keys: IdentityKey[] = [];
  if (identity.smbiosUuid) keys.push({ kind: 'smbios_uuid', value: identity.smbiosUuid });
  if (identity.serial) keys.push({ kind: 'serial', value: identity.serial });
  for (const mac of identity.macs) keys.push({ kind: 'mac', value: mac });
  return keys;
}

export function keyLabel(key: IdentityKey): string {
  return `${key.kind}:${key.value}`;
}

/**
 * The PostgreSQL advisory-lock ids for a set of keys: a signed 64-bit hash of each key,
 * de-duplicated and sorted ascending (as decimal strings, for `bigint[]`). Two reports that
 * share any key take that key's lock; taking the locks in one global order means two
 * reports waiting for each other's keys cannot deadlock. A hash collision only serialises
 * two unrelated reports.
 */
export function lockIds(keys: readonly IdentityKey[]): string[] {
  const ids = new Set<bigint>();
  for (const key of keys) {
    const digest = createHash('sha256')
      .update(`muster.discovery.${keyLabel(key)}`)
      .digest();
    ids.add(digest.readBigInt64BE(0));
  }
  return [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map(String);
}

/** One text per distinct identity, for recognising the same report again (held conflicts). */
export function identityFingerprint(identity: HardwareIdentity): string {
  return identityKeys(identity).map(keyLabel).join(' ');
}
