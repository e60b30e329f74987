import { describe, expect, it } from 'vitest';
import { InvalidIdentityError, normalizeIdentity, normalizeMac } from './hardware-identity.js';
import { matchIdentity, type KnownMachine } from './identity-matcher.js';

describe('normalizeMac', () => {
  it.each([
    ['AA:BB:CC:DD:EE:F0', 'aa:bb:cc:dd:ee:f0'],
    ['aa-bb-cc-dd-ee-f0', 'aa:bb:cc:dd:ee:f0'],
    ['aabb.ccdd.eef0', 'aa:bb:cc:dd:ee:f0'],
    ['AABBCCDDEEF0', 'aa:bb:cc:dd:ee:f0'],
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

  it('keeps a real UUID in lower case and a trimmed serial', () => {
    const id = normalizeIdentity({
      smbiosUuid: '4C4C4544-0042-3510-8052-B4C04F4B4E32',
      serial: ' CZ1234 ',
      macs: ['52:54:00:00:00:01'],
    });
    expect(id.smbiosUuid).toBe('4c4c4544-0042-3510-8052-b4c04f4b4e32');
    expect(id.serial).toBe('CZ1234');
  });

  it('refuses a report with no usable MAC', () => {
    expect(() => normalizeIdentity({ macs: ['00:00:00:00:00:00'] })).toThrow(InvalidIdentityError);
  });
});

describe('matchIdentity', () => {
  const a: KnownMachine = {
    machineId: 'a',
    smbiosUuid: '11111111-1111-4111-8111-111111111111',
    serial: 'S-A',
    macs: ['52:54:00:00:00:0a'],
  };
  const b: KnownMachine = {
    machineId: 'b',
    smbiosUuid: undefined,
    serial: 'S-B',
    macs: ['52:54:00:00:00:0b'],
  };

  it('is new when nothing is shared', () => {
    expect(
      matchIdentity({ smbiosUuid: undefined, serial: 'S-C', macs: ['52:54:00:00:00:0c'] }, [a, b]),
    ).toEqual({ kind: 'new' });
  });

  it('matches by SMBIOS UUID even after every NIC changed', () => {
    const r = matchIdentity({ smbiosUuid: a.smbiosUuid, serial: undefined, macs: ['52:54:00:00:00:99'] }, [
      a,
      b,
    ]);
    expect(r).toEqual({ kind: 'match', machineId: 'a', by: 'smbios_uuid' });
  });

  it('matches by serial, then by MAC, when no UUID is on both sides', () => {
    expect(
      matchIdentity({ smbiosUuid: undefined, serial: 'S-B', macs: ['52:54:00:00:00:99'] }, [a, b]),
    ).toEqual({
      kind: 'match',
      machineId: 'b',
      by: 'serial',
    });
    expect(
      matchIdentity({ smbiosUuid: undefined, serial: undefined, macs: ['52:54:00:00:00:0b'] }, [a, b]),
    ).toEqual({
      kind: 'match',
      machineId: 'b',
      by: 'mac',
    });
  });

  it('flags evidence pointing at two machines', () => {
    const r = matchIdentity({ smbiosUuid: undefined, serial: 'S-A', macs: ['52:54:00:00:00:0b'] }, [a, b]);
    expect(r).toMatchObject({ kind: 'conflict', machineIds: ['a', 'b'] });
  });

  it('flags a MAC match whose SMBIOS UUID contradicts it', () => {
    const r = matchIdentity(
      { smbiosUuid: '22222222-2222-4222-8222-222222222222', serial: undefined, macs: a.macs },
      [a],
    );
    expect(r).toMatchObject({ kind: 'conflict', machineIds: ['a'] });
  });
});
