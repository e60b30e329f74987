import { describe, expect, it } from 'vitest';
import { matchIdentity, type Candidate } from './identity-match.js';

const U1 = '11111111-1111-4111-8111-111111111111';
const U2 = '22222222-2222-4222-8222-222222222222';
const m = (
  machineId: string,
  smbiosUuid: string | null,
  serial: string | null,
  macs: string[],
): Candidate => ({
  machineId,
  smbiosUuid,
  serial,
  macs,
});
const MAC1 = '52:54:00:00:00:01';
const MAC2 = '52:54:00:00:00:02';

describe('matchIdentity', () => {
  it('matches by SMBIOS UUID first, then serial, then a shared MAC', () => {
    expect(matchIdentity({ smbiosUuid: U1, serial: '', macs: [MAC2] }, [m('a', U1, null, [MAC1])])).toEqual({
      kind: 'match',
      machineId: 'a',
      by: 'smbios_uuid',
    });
    expect(
      matchIdentity({ smbiosUuid: '', serial: 'SN1', macs: [MAC2] }, [m('b', null, 'SN1', [MAC1])]),
    ).toMatchObject({
      machineId: 'b',
      by: 'serial',
    });
    expect(
      matchIdentity({ smbiosUuid: U1, serial: 'SN1', macs: [MAC1] }, [m('c', null, null, [MAC1])]),
    ).toMatchObject({
      machineId: 'c',
      by: 'mac',
    });
    expect(matchIdentity({ smbiosUuid: U1, serial: 'SN1', macs: [MAC1] }, [])).toEqual({ kind: 'none' });
  });

  it('refuses strong keys that point at two machines', () => {
    const result = matchIdentity({ smbiosUuid: U1, serial: 'SN1', macs: [MAC1] }, [
      m('a', U1, null, []),
      m('b', null, 'SN1', []),
    ]);
    expect(result).toEqual({ kind: 'conflict', reason: 'the identity matches several machines: a, b' });
  });

  it('refuses a machine whose UUID or serial contradicts the report', () => {
    expect(
      matchIdentity({ smbiosUuid: U1, serial: 'SN1', macs: [MAC1] }, [m('a', U1, 'SN9', [MAC1])]),
    ).toEqual({
      kind: 'conflict',
      reason: 'machine a matches by SMBIOS UUID but its serial differs',
    });
    expect(
      matchIdentity({ smbiosUuid: U1, serial: '', macs: [MAC1] }, [m('a', U2, null, [MAC1])]),
    ).toMatchObject({
      kind: 'conflict',
    });
  });

  it('refuses a MAC shared by several machines when no strong key decides', () => {
    expect(
      matchIdentity({ smbiosUuid: '', serial: '', macs: [MAC1] }, [
        m('a', null, null, [MAC1]),
        m('b', null, null, [MAC1]),
      ]),
    ).toMatchObject({ kind: 'conflict' });
    // A strong key decides among machines sharing a MAC (a USB NIC used to install many).
    expect(
      matchIdentity({ smbiosUuid: U1, serial: '', macs: [MAC1] }, [
        m('a', U1, null, [MAC1]),
        m('b', null, null, [MAC1]),
      ]),
    ).toMatchObject({ kind: 'match', machineId: 'a' });
  });
});
