import { isPlaceholderSerial, isPlaceholderUuid } from './placeholder-identity.js';

/** What a discovery report says about a machine's identity, before cleaning. */
export interface ReportedIdentity {
  smbiosUuid?: string | undefined;
  serial?: string | undefined;
  macs: readonly string[];
}

/** The identity discovery keys on: placeholders dropped, MACs normalized, sorted, unique. */
export interface HardwareIdentity {
  smbiosUuid: string | undefined;
  serial: string | undefined;
  macs: string[];
}

export class InvalidIdentityError extends Error {
  override readonly name = 'InvalidIdentityError';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Accepts `aa:bb:cc:dd:ee:ff`, `AA-BB-CC-DD-EE-FF`, `aabb.ccdd.eeff` and `aabbccddeeff`;
 * returns the lower-case colon form. All-zero, broadcast and multicast addresses identify
 * nothing and are rejected.
 */
export function normalizeMac(raw: string): string | undefined {
  const hex = raw.trim().toLowerCase().replace(/[:.-]/g, '');
  if (!/^[0-9a-f]{12}$/.test(hex)) return undefined;
  if (hex === '000000000000' || hex === 'ffffffffffff') return undefined;
  if (parseInt(hex.slice(0, 2), 16) & 1) return undefined;
  return hex.match(/../g)!.join(':');
}

export function normalizeIdentity(reported: ReportedIdentity): HardwareIdentity {
  const macs = [
    ...new Set(reported.macs.map(normalizeMac).filter((m): m is string => m !== undefined)),
  ].sort();
  const uuid = reported.smbiosUuid?.trim().toLowerCase();
  const serial = reported.serial?.trim().replace(/\s+/g, ' ');
  const identity: HardwareIdentity = {
    smbiosUuid: uuid && UUID.test(uuid) && !isPlaceholderUuid(uuid) ? uuid : undefined,
    serial: serial && !isPlaceholderSerial(serial) ? serial : undefined,
    macs,
  };
  if (macs.length === 0) {
    throw new InvalidIdentityError('a machine needs at least one unicast MAC address to be identified');
  }
  return identity;
}
