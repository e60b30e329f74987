/**
 * The machine lifecycle: the one table of legal moves. Installing is PROVISIONING (the proto
 * enum's name). States are the stored names of `MachineState` (`DEPLOYED`).
 *
 *   DISCOVERED → ASSIGNED → PROVISIONING → DEPLOYED → REIMAGING → PROVISIONING …
 *   any live state → FAILED (needs an operator) → ASSIGNED | REIMAGING
 *   any state but RETIRED → RETIRED (final)
 */
export const LIFECYCLE_STATES = [
  'DISCOVERED',
  'ASSIGNED',
  'PROVISIONING',
  'DEPLOYED',
  'REIMAGING',
  'FAILED',
  'RETIRED',
] as const;
export type LifecycleState = (typeof LIFECYCLE_STATES)[number];

const LEGAL: Readonly<Record<LifecycleState, readonly LifecycleState[]>> = {
  // An agent that binds a machine no one assigned is not a move: the machine stays DISCOVERED.
  DISCOVERED: ['ASSIGNED', 'FAILED', 'RETIRED'],
  // A machine whose agent enrolls before the installer reported goes straight to DEPLOYED.
  ASSIGNED: ['DISCOVERED', 'PROVISIONING', 'DEPLOYED', 'FAILED', 'RETIRED'],
  PROVISIONING: ['DEPLOYED', 'FAILED', 'RETIRED'],
  DEPLOYED: ['REIMAGING', 'FAILED', 'RETIRED'],
  REIMAGING: ['PROVISIONING', 'DEPLOYED', 'FAILED', 'RETIRED'],
  FAILED: ['ASSIGNED', 'REIMAGING', 'RETIRED'],
  RETIRED: [],
};

/** What the move needs to know of the machine besides its state. */
export interface LifecycleFacts {
  siteId: string;
  groupId: string | null;
  profileId: string | null;
}

export type TransitionCheck = { ok: true } | { ok: false; reason: string };

export function isLifecycleState(value: string): value is LifecycleState {
  return (LIFECYCLE_STATES as readonly string[]).includes(value);
}

/** Whether `from → to` is legal for this machine; when not, the reason an operator reads. */
export function checkTransition(from: string, to: string, machine: LifecycleFacts): TransitionCheck {
  if (!isLifecycleState(from)) return { ok: false, reason: `the machine is in an unknown state ${from}` };
  if (!isLifecycleState(to)) return { ok: false, reason: `${to} is not a machine state` };
  if (from === to) return { ok: false, reason: `the machine is already ${to}` };
  if (from === 'RETIRED') return { ok: false, reason: 'a retired machine never changes state again' };
  if (!LEGAL[from].includes(to)) {
    return {
      ok: false,
      reason: `${from} → ${to} is not a legal move (from ${from}: ${LEGAL[from].join(', ')})`,
    };
  }
  if (to === 'ASSIGNED' || to === 'PROVISIONING') {
    const missing = [
      machine.siteId === 'unassigned' ? 'a site' : '',
      machine.groupId ? '' : 'a group',
      machine.profileId ? '' : 'a profile',
    ].filter(Boolean);
    if (missing.length > 0)
      return { ok: false, reason: `${to} needs ${missing.join(', ')}; assign it first` };
  }
  return { ok: true };
}

/** The legal moves out of each state (the table, for docs and tests). */
export function legalMoves(from: LifecycleState): readonly LifecycleState[] {
  return LEGAL[from];
}
