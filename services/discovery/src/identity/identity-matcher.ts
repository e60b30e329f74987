import type { HardwareIdentity } from './hardware-identity.js';

export interface KnownMachine extends HardwareIdentity {
  machineId: string;
}

export type MatchResult =
  | { kind: 'new' }
  | { kind: 'match'; machineId: string; by: 'smbios_uuid' | 'serial' | 'mac' }
  | { kind: 'conflict'; machineIds: string[]; reason: string };

/**
 * Decides whether a report is a machine already known. The SMBIOS UUID decides when both
 * sides have one; otherwise the serial, then any shared MAC. Evidence that points at two
 * machines, or a UUID that contradicts a serial or MAC match, is a conflict for an operator
 * to settle — never a silent merge.
 */
export function matchIdentity(identity: HardwareIdentity, candidates: readonly KnownMachine[]): MatchResult {
  const related = candidates.filter((c) => shares(identity, c));
  if (related.length === 0) return { kind: 'new' };
  const ids = [...new Set(related.map((c) => c.machineId))];
  if (ids.length > 1) {
    return { kind: 'conflict', machineIds: ids.sort(), reason: 'identity matches more than one machine' };
  }
  const known = related[0]!;
  if (identity.smbiosUuid && known.smbiosUuid) {
    if (identity.smbiosUuid === known.smbiosUuid)
      return { kind: 'match', machineId: known.machineId, by: 'smbios_uuid' };
    return {
      kind: 'conflict',
      machineIds: [known.machineId],
      reason: `serial or MAC matches machine ${known.machineId} but its SMBIOS UUID differs`,
    };
  }
  if (identity.serial && known.serial === identity.serial) {
    return { kind: 'match', machineId: known.machineId, by: 'serial' };
  }
  return { kind: 'match', machineId: known.machineId, by: 'mac' };
}

function shares(a: HardwareIdentity, b: HardwareIdentity): boolean {
  if (a.smbiosUuid && a.smbiosUuid === b.smbiosUuid) return true;
  if (a.serial && a.serial === b.serial) return true;
  return a.macs.some((m) => b.macs.includes(m));
}
