import { describe, expect, it } from 'vitest';
import { exampleSigned } from '../test/release-fixture.js';
import { heldAfter } from './held-release.js';

describe('heldAfter', () => {
  it("remembers the release's sequence and issuedAt and the higher floor, never lowering it", () => {
    const signed = exampleSigned({ sequence: 42, rollbackFloor: 40 });
    expect(heldAfter(signed)).toEqual({ sequence: 42, floor: 40, issuedAt: signed.issuedAt });
    expect(heldAfter(signed, { sequence: 45, floor: 41 }).floor).toBe(41);
    expect(heldAfter(signed, { floor: 12 }).floor).toBe(40);
  });
});
