import type { HardwareIdentity } from './hardware-identity.js';
import { identityKeys, type IdentityKey, type IdentityKeyKind } from './identity-keys.js';

export interface KnownMachine extends HardwareIdentity {
  machineId: string;
}

/** A known machine that shares keys with a report but is not the machine the report is. */
export interface Disagreement {
  machineId: string;
  /** The keys the report and this machine both hold. */
  sharedKeys: IdentityKey[];
  /** Strong keys both hold with different values (empty: it merely shares a key). */
  contradicts: ('smbios_uuid' | 'serial')[];
}

export type IdentityDecision =
  /** A machine not seen before; `conflicts` lists known machines it shares a key with. */
  | { kind: 'new'; conflicts: Disagreement[] }
  /**
   * A known machine. `changed` holds its identity after learning what the report adds (a
   * new NIC, a UUID or serial it lacked), or is undefined when the report adds nothing.
   */
  | {
      kind: 'known';
      machineId: string;
      matchedBy: IdentityKeyKind;
      changed: HardwareIdentity | undefined;
      conflicts: Disagreement[];
    }
  /** The evidence fits several machines equally well: kept for an operator, no machine. */
  | { kind: 'held'; conflicts: Disagreement[] };

const STRONG = ['smbios_uuid', 'serial'] as const;

/**
 * Decides which machine a report is, never merging two machines:
 *
 * - A known machine *contradicts* a report when both hold a UUID, or both a serial, and the
 *   values differ. It can never be the report's machine.
 * - Of the machines that share a key and do not contradict, the one sharing the most strong
 *   keys (UUID, serial), then the most MACs, is the report's machine. MACs never contradict:
 *   NICs are added and swapped, and a report may list only some.
 * - No such machine: a new machine. Every known machine that shares a key with it is flagged
 *   (e.g. a MAC known with another serial: a NIC moved, a USB NIC used to boot many machines).
 *   Such a report always carries a strong key (a MAC alone contradicts nothing), so its next
 *   report finds the new machine by that key: it does not loop.
 * - Several machines tie: the report cannot be told apart (a MAC shared by two machines, no
 *   usable UUID or serial). It is held for an operator; nothing is created or merged.
 *
 * Every other machine that shares a key with the report is returned as a conflict.
 */
export function decideIdentity(report: HardwareIdentity, related: readonly KnownMachine[]): IdentityDecision {
  const sharing = unique(related)
    .map((machine) => ({ machine, shared: sharedKeys(report, machine) }))
    .filter((c) => c.shared.length > 0);
  if (sharing.length === 0) return { kind: 'new', conflicts: [] };

  const fits = sharing.filter((c) => contradictions(report, c.machine).length === 0);
  const best = maxBy(fits, (c) => score(c.shared));
  const disagreements = (except: string | undefined): Disagreement[] =>
    sharing
      .filter((c) => c.machine.machineId !== except)
      .map((c) => ({
        machineId: c.machine.machineId,
        sharedKeys: c.shared,
        contradicts: contradictions(report, c.machine),
      }));

  if (best.length === 0) return { kind: 'new', conflicts: disagreements(undefined) };
  if (best.length > 1) return { kind: 'held', conflicts: disagreements(undefined) };
  const { machine, shared } = best[0]!;
  return {
    kind: 'known',
    machineId: machine.machineId,
    matchedBy: shared[0]!.kind,
    changed: learn(machine, report),
    conflicts: disagreements(machine.machineId),
  };
}

/** The known identity widened by what the report adds; undefined when it adds nothing. */
export function learn(known: HardwareIdentity, report: HardwareIdentity): HardwareIdentity | undefined {
  const macs = [...new Set([...known.macs, ...report.macs])].sort();
  const next: HardwareIdentity = {
    smbiosUuid: known.smbiosUuid ?? report.smbiosUuid,
    serial: known.serial ?? report.serial,
    macs,
  };
  const same =
    next.smbiosUuid === known.smbiosUuid && next.serial === known.serial && macs.length === known.macs.length;
  return same ? undefined : next;
}

function sharedKeys(report: HardwareIdentity, machine: HardwareIdentity): IdentityKey[] {
  const theirs = new Set(identityKeys(machine).map((k) => `${k.kind}:${k.value}`));
  return identityKeys(report).filter((k) => theirs.has(`${k.kind}:${k.value}`));
}

function contradictions(report: HardwareIdentity, machine: HardwareIdentity): ('smbios_uuid' | 'serial')[] {
  const field = { smbios_uuid: 'smbiosUuid', serial: 'serial' } as const;
  return STRONG.filter((kind) => {
    const a = report[field[kind]];
    const b = machine[field[kind]];
    return a !== undefined && b !== undefined && a !== b;
  });
}

/** Strong keys count before MACs; identityKeys lists strong keys first. */
function score(shared: readonly IdentityKey[]): number {
  return shared.reduce((sum, k) => sum + (k.kind === 'mac' ? 1 : 1_000), 0);
}

function maxBy<T>(items: readonly T[], value: (item: T) => number): T[] {
  let best: T[] = [];
  let top = -Infinity;
  for (const item of items) {
    const v = value(item);
    if (v > top) [best, top] = [[item], v];
    else if (v === top) best.push(item);
  }
  return best;
}

function unique(machines: readonly KnownMachine[]): KnownMachine[] {
  return [...new Map(machines.map((m) => [m.machineId, m])).values()];
}
