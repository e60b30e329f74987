/** The identity an agent reports (normalized: lower-case UUID, trimmed serial, placeholders empty). */
export interface ReportedIdentity {
  smbiosUuid: string;
  serial: string;
  macs: readonly string[];
}

/** A known machine that shares at least one identity key with the report. */
export interface Candidate {
  machineId: string;
  smbiosUuid: string | null;
  serial: string | null;
  macs: readonly string[];
}

export type IdentityMatch =
  | { kind: 'none' }
  | { kind: 'match'; machineId: string; by: 'smbios_uuid' | 'serial' | 'mac' }
  | { kind: 'conflict'; reason: string };

/**
 * Which known machine a reported identity is, by the same rules as discovery: the SMBIOS UUID
 * decides, else the serial, else a shared MAC. Strong keys (UUID, serial) that point at two
 * machines, a chosen machine whose UUID or serial contradicts the report (both set, not equal),
 * and a MAC shared by several machines with no strong key to choose are conflicts — never merged.
 */
export function matchIdentity(report: ReportedIdentity, candidates: readonly Candidate[]): IdentityMatch {
  const byUuid = report.smbiosUuid ? candidates.filter((c) => c.smbiosUuid === report.smbiosUuid) : [];
  const bySerial = report.serial ? candidates.filter((c) => c.serial === report.serial) : [];
  const macs = new Set(report.macs);
  const byMac = candidates.filter((c) => c.macs.some((m) => macs.has(m)));

  const strong = new Set([...byUuid, ...bySerial].map((c) => c.machineId));
  if (strong.size > 1) {
    return {
      kind: 'conflict',
      reason: `the identity matches several machines: ${[...strong].sort().join(', ')}`,
    };
  }
  let chosen: Candidate | undefined;
  let by: 'smbios_uuid' | 'serial' | 'mac' = 'mac';
  if (byUuid[0]) [chosen, by] = [byUuid[0], 'smbios_uuid'];
  else if (bySerial[0]) [chosen, by] = [bySerial[0], 'serial'];
  else if (byMac.length > 1) {
    return {
      kind: 'conflict',
      reason: `a MAC address is shared by several machines (${byMac
        .map((c) => c.machineId)
        .sort()
        .join(', ')}) and no UUID or serial decides`,
    };
  } else chosen = byMac[0];
  if (!chosen) return { kind: 'none' };

  const contradicts = [
    report.smbiosUuid && chosen.smbiosUuid && chosen.smbiosUuid !== report.smbiosUuid ? 'SMBIOS UUID' : '',
    report.serial && chosen.serial && chosen.serial !== report.serial ? 'serial' : '',
  ].filter(Boolean);
  if (contradicts.length > 0) {
    return {
      kind: 'conflict',
      reason: `machine ${chosen.machineId} matches by ${by === 'mac' ? 'MAC' : by === 'serial' ? 'serial' : 'SMBIOS UUID'} but its ${contradicts.join(' and ')} differ${contradicts.length === 1 ? 's' : ''}`,
    };
  }
  return { kind: 'match', machineId: chosen.machineId, by };
}
