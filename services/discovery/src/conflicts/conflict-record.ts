import { identityFingerprint, keyLabel } from '../identity/identity-keys.js';
import type { HardwareIdentity } from '../identity/hardware-identity.js';
import type { Disagreement } from '../identity/identity-matcher.js';
import type { ConflictRecord } from './identity-conflicts.repository.js';

/**
 * The operator's record of a report whose keys disagree with known machines, or undefined
 * when nothing disagrees. Keyed so that the same machine disagreeing with the same machines
 * (or the same held identity) is one record, counted on every report.
 */
export function conflictRecord(input: {
  outcome: ConflictRecord['outcome'];
  machineId: string | undefined;
  identity: HardwareIdentity;
  conflicts: readonly Disagreement[];
  report: unknown;
}): ConflictRecord | undefined {
  if (input.conflicts.length === 0) return undefined;
  const others = [...new Set(input.conflicts.map((c) => c.machineId))].sort();
  const keys = [...new Set(input.conflicts.flatMap((c) => c.sharedKeys.map(keyLabel)))].sort();
  const details = input.conflicts.map((c) => {
    const shared = c.sharedKeys.map(keyLabel).join(', ');
    return c.contradicts.length > 0
      ? `shares ${shared} with machine ${c.machineId}, whose ${c.contradicts.join(' and ')} differs`
      : `shares ${shared} with machine ${c.machineId}`;
  });
  const lead = {
    'new-machine': 'recorded as a new machine: it',
    'known-machine': 'known machine; it also',
    held: 'held, fits several machines equally: it',
  }[input.outcome];
  return {
    conflictKey:
      input.outcome === 'held'
        ? `held ${identityFingerprint(input.identity)}`
        : `machine ${input.machineId!} ${others.join(',')}`,
    outcome: input.outcome,
    machineId: input.machineId ?? null,
    otherMachineIds: others,
    keys,
    reason: `${lead} ${details.join('; ')}`,
    report: input.report,
  };
}
