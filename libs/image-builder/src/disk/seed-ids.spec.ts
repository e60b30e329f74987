import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { derivedUuid, fatVolumeId, fatVolumeUuid, ID_ROLE } from './seed-ids.js';

const SEED = 'ab'.repeat(32);
const OTHER = 'cd'.repeat(32);

describe('identifiers derived from the seed', () => {
  it('is SHA-256(seed ":" role) laid out as an RFC 4122 version-4 UUID', () => {
    const hex = createHash('sha256').update(`${SEED}:partition:root-a`).digest('hex');
    const uuid = derivedUuid(SEED, ID_ROLE.rootA);
    expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // Every nibble but the version and the two variant bits comes from the digest.
    expect(uuid.replaceAll('-', '').slice(0, 12)).toBe(hex.slice(0, 12));
    expect(uuid.replaceAll('-', '').slice(13, 16)).toBe(hex.slice(13, 16));
    expect(uuid.replaceAll('-', '').slice(17, 32)).toBe(hex.slice(17, 32));
  });

  it('gives the same ids for the same seed, other ids for another seed or role', () => {
    const roles = Object.values(ID_ROLE);
    const ids = roles.map((r) => derivedUuid(SEED, r));
    expect(roles.map((r) => derivedUuid(SEED, r))).toEqual(ids);
    expect(new Set(ids).size).toBe(roles.length);
    for (const r of roles) expect(derivedUuid(OTHER, r)).not.toBe(derivedUuid(SEED, r));
  });

  it('makes the FAT volume id from the first 4 bytes of SHA-256(seed ":fat:volume-id")', () => {
    const hex = createHash('sha256').update(`${SEED}:fat:volume-id`).digest('hex');
    expect(fatVolumeId(SEED)).toBe(hex.slice(0, 8));
    expect(fatVolumeId(OTHER)).not.toBe(fatVolumeId(SEED));
    expect(fatVolumeUuid('1234abcd')).toBe('1234-abcd');
  });
});
