import { describe, expect, it } from 'vitest';
import { InvalidIdentityError, normalizeIdentity, normalizeMac } from './hardware-identity.js';
import { identityKeys, lockIds } from './identity-keys.js';
import { decideIdentity, type KnownMachine } from './identity-matcher.js';

describe('normalizeMac', () => {
  it.each([
    ['AA:BB:CC:DD:EE:F0', 'aa:bb:cc:dd:ee:f0'],
    ['aa-bb-cc-dd-ee-f0', 'aa:bb:cc:dd:ee:f0'],
    ['aabb.ccdd.eef0', 'aa:bb:cc:dd:ee:f0'],
    ['AABBCCDDEEF0', 'aa:bb:cc:dd:ee:f0'],
    ['52:54:00:AB:CD:EF', '52:54:00:ab:cd:ef'],
    ['52-54-00-ab-cd-ef', '52:54:00:ab:cd:ef'],
    ['5254.00ab.cdef', '52:54:00:ab:cd:ef'],
  ])('normalizes %s', (raw, expected) => expect(normalizeMac(raw)).toBe(expected));

  it.each(['00:00:00:00:00:00', 'ff:ff:ff:ff:ff:ff', '01:00:5e:00:00:01', 'zz:bb:cc:dd:ee:ff', 'aa:bb:cc'])(
    'rejects %s',
    (raw) => expect(normalizeMac(raw)).toBeUndefined(),
  );
});

describe('normalizeIdentity', () => {
  it('drops placeholder UUIDs and serials, sorts and de-duplicates MACs', () => {
    const id = normalizeIdentity({
      smbiosUuid: '03000200-0400-0500-0006-000700080009',
      serial: ' To Be Filled By O.E.M. ',
      macs: ['52:54:00:00:00:02', '52-54-00-00-00-01', '52:54:00:00:00:02'],
    });
    expect(id).toEqual({
      smbiosUuid: undefined,
      serial: undefined,
      macs: ['52:54:00:00:00:01', '52:54:00:00:00:02'],
    });
  });

  it('refuses a report with no usable MAC', () => {
    expect(() => normalizeIdentity({ macs: ['00:00:00:00:00:00'] })).toThrow(InvalidIdentityError);
  });
});

describe('lock ids', () => {
  it('are sorted, unique signed 64-bit values, the same for the same keys', () => {
    const keys = identityKeys({ smbiosUuid: undefined, serial: 'S', macs: ['52:54:00:00:00:01'] });
    const ids = lockIds([...keys, ...keys]);
    expect(ids).toHaveLength(2);
    expect(ids.map(BigInt)).toEqual([...ids.map(BigInt)].sort((a, b) => (a < b ? -1 : 1)));
    for (const id of ids) expect(BigInt(id) >= -(2n ** 63n) && BigInt(id) < 2n ** 63n).toBe(true);
    expect(lockIds(keys.slice().reverse())).toEqual(ids);
  });
});

const U1 = '11111111-1111-4111-8111-111111111111';
const U2 = '22222222-2222-4222-8222-222222222222';
const mac = (n: number) => `52:54:00:00:00:${n.toString(16).padStart(2, '0')}`;
const machine = (
  machineId: string,
  serial: string | undefined,
  macs: number[],
  uuid?: string,
): KnownMachine => ({
  machineId,
  smbiosUuid: uuid,
  serial,
  macs: macs.map(mac),
});
const report = (serial: string | undefined, macs: number[], uuid?: string) => ({
  smbiosUuid: uuid,
  serial,
  macs: macs.map(mac),
});

describe('decideIdentity', () => {
  const a = machine('a', 'S-A', [0x0a], U1);
  const b = machine('b', 'S-B', [0x0b]);

  it('is new when nothing is shared', () => {
    expect(decideIdentity(report('S-C', [0x0c]), [a, b])).toEqual({ kind: 'new', conflicts: [] });
  });

  it('knows a machine by its SMBIOS UUID after every NIC changed, and learns the new NIC', () => {
    const d = decideIdentity(report(undefined, [0x99], U1), [a, b]);
    expect(d).toMatchObject({ kind: 'known', machineId: 'a', matchedBy: 'smbios_uuid', conflicts: [] });
    expect(d.kind === 'known' && d.changed?.macs).toEqual([mac(0x0a), mac(0x99)]);
  });

  it('knows a machine by serial or by MAC, unchanged when the report adds nothing', () => {
    expect(decideIdentity(report('S-B', [0x0b]), [a, b])).toEqual({
      kind: 'known',
      machineId: 'b',
      matchedBy: 'serial',
      changed: undefined,
      conflicts: [],
    });
    expect(decideIdentity(report(undefined, [0x0b]), [a, b])).toMatchObject({
      kind: 'known',
      machineId: 'b',
      matchedBy: 'mac',
      changed: undefined,
    });
  });

  it('learns a UUID reported later', () => {
    const d = decideIdentity(report('S-B', [0x0b], U2), [a, b]);
    expect(d).toMatchObject({ kind: 'known', machineId: 'b', changed: { smbiosUuid: U2, serial: 'S-B' } });
  });

  it('makes a MAC known with another serial a new machine, flagged against the first', () => {
    const d = decideIdentity(report('S-X', [0x0b]), [a, b]);
    expect(d).toEqual({
      kind: 'new',
      conflicts: [
        { machineId: 'b', sharedKeys: [{ kind: 'mac', value: mac(0x0b) }], contradicts: ['serial'] },
      ],
    });
  });

  it('makes a UUID known with another serial a new machine, never a merge', () => {
    const d = decideIdentity(report('S-Y', [0x0c], U1), [a, b]);
    expect(d).toMatchObject({ kind: 'new', conflicts: [{ machineId: 'a', contradicts: ['serial'] }] });
  });

  it('finds the flagged machine again on its next report: it does not loop', () => {
    const second = machine('x', 'S-X', [0x0b]);
    const d = decideIdentity(report('S-X', [0x0b]), [a, b, second]);
    expect(d).toMatchObject({
      kind: 'known',
      machineId: 'x',
      matchedBy: 'serial',
      changed: undefined,
      conflicts: [{ machineId: 'b', contradicts: ['serial'] }],
    });
  });

  it('holds a report that fits two machines equally (a shared MAC and nothing else)', () => {
    const second = machine('x', 'S-X', [0x0b]);
    const d = decideIdentity(report(undefined, [0x0b]), [b, second]);
    expect(d).toMatchObject({ kind: 'held' });
    expect(d.conflicts.map((c) => c.machineId).sort()).toEqual(['b', 'x']);
  });

  it('prefers the machine sharing more keys and flags the other', () => {
    const twin = machine('t', 'S-A', [0x1a], U2);
    const d = decideIdentity(report('S-A', [0x0a]), [a, twin]);
    expect(d).toMatchObject({
      kind: 'known',
      machineId: 'a',
      conflicts: [{ machineId: 't', contradicts: [] }],
    });
  });

  it('flags evidence pointing at two machines that contradict it', () => {
    const d = decideIdentity(report('S-A', [0x0b], U2), [a, b]);
    expect(d.kind).toBe('new');
    expect(d.conflicts.map((c) => c.machineId).sort()).toEqual(['a', 'b']);
  });

  it('keeps two machines with placeholder serials apart', () => {
    const first = normalizeIdentity({ serial: '0000000000', macs: [mac(1)], smbiosUuid: U1 });
    const known: KnownMachine = { machineId: 'first', ...first };
    const second = normalizeIdentity({ serial: '0000000000', macs: [mac(2)], smbiosUuid: U2 });
    expect(decideIdentity(second, [known])).toEqual({ kind: 'new', conflicts: [] });
  });
});
