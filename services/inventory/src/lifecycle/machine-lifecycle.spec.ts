import { describe, expect, it } from 'vitest';
import { checkTransition, LIFECYCLE_STATES, type LifecycleState } from './machine-lifecycle.js';

const assigned = { siteId: 'berlin-3', groupId: 'tills', profileId: 'pos' };

/** The whole table, written out: every pair not listed here is refused. */
const LEGAL: readonly [LifecycleState, LifecycleState][] = [
  ['DISCOVERED', 'ASSIGNED'],
  ['DISCOVERED', 'FAILED'],
  ['DISCOVERED', 'RETIRED'],
  ['ASSIGNED', 'DISCOVERED'],
  ['ASSIGNED', 'PROVISIONING'],
  ['ASSIGNED', 'DEPLOYED'],
  ['ASSIGNED', 'FAILED'],
  ['ASSIGNED', 'RETIRED'],
  ['PROVISIONING', 'DEPLOYED'],
  ['PROVISIONING', 'FAILED'],
  ['PROVISIONING', 'RETIRED'],
  ['DEPLOYED', 'REIMAGING'],
  ['DEPLOYED', 'FAILED'],
  ['DEPLOYED', 'RETIRED'],
  ['REIMAGING', 'PROVISIONING'],
  ['REIMAGING', 'DEPLOYED'],
  ['REIMAGING', 'FAILED'],
  ['REIMAGING', 'RETIRED'],
  ['FAILED', 'ASSIGNED'],
  ['FAILED', 'REIMAGING'],
  ['FAILED', 'RETIRED'],
];

describe('checkTransition', () => {
  it('allows exactly the moves of the table, for all 49 pairs', () => {
    const legal = new Set(LEGAL.map(([a, b]) => `${a}>${b}`));
    for (const from of LIFECYCLE_STATES) {
      for (const to of LIFECYCLE_STATES) {
        const result = checkTransition(from, to, assigned);
        expect(result.ok, `${from} → ${to}`).toBe(legal.has(`${from}>${to}`));
        if (!result.ok) expect(result.reason.length).toBeGreaterThan(0);
      }
    }
  });

  it('names the reason: same state, retired, an illegal move with the legal ones', () => {
    expect(checkTransition('DEPLOYED', 'DEPLOYED', assigned)).toEqual({
      ok: false,
      reason: 'the machine is already DEPLOYED',
    });
    expect(checkTransition('RETIRED', 'DEPLOYED', assigned)).toMatchObject({ reason: /retired/ });
    expect(checkTransition('DISCOVERED', 'DEPLOYED', assigned)).toEqual({
      ok: false,
      reason: 'DISCOVERED → DEPLOYED is not a legal move (from DISCOVERED: ASSIGNED, FAILED, RETIRED)',
    });
  });

  it('refuses ASSIGNED and PROVISIONING to a machine without site, group and profile', () => {
    expect(
      checkTransition('DISCOVERED', 'ASSIGNED', { siteId: 'unassigned', groupId: null, profileId: 'pos' }),
    ).toEqual({ ok: false, reason: 'ASSIGNED needs a site, a group; assign it first' });
    expect(checkTransition('FAILED', 'ASSIGNED', assigned)).toEqual({ ok: true });
  });

  it('refuses states it does not know', () => {
    expect(checkTransition('DEPLOYED', 'INSTALLING', assigned)).toEqual({
      ok: false,
      reason: 'INSTALLING is not a machine state',
    });
  });
});
