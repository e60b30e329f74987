import { describe, expect, it } from 'vitest';
import { normalizeIdentity } from './hardware-identity.js';
import { isPlaceholderSerial, isPlaceholderUuid } from './placeholder-identity.js';

describe('placeholder serials identify nothing', () => {
  it.each([
    '0',
    '0000000000',
    '00000000',
    'Default string',
    'DEFAULT STRING',
    '  default   string ',
    'To Be Filled By O.E.M.',
    'To be filled by O.E.M.',
    'To Be Filled By O.E.M',
    'to be filled by o.e.m.',
    'System Serial Number',
    'Not Specified',
    'None',
    'N/A',
    'n/a',
    '123456789',
    '0123456789',
    'Chassis Serial Number',
    'Base Board Serial Number',
    'XXXXXXXXXX',
    'xxxxxxxx',
    'FFFFFFFF',
    'Unknown',
    'O.E.M.',
    '',
    '   ',
    '\t\n',
  ])('%j', (serial) => {
    expect(isPlaceholderSerial(serial)).toBe(true);
    expect(normalizeIdentity({ serial, macs: ['52:54:00:00:00:01'] }).serial).toBeUndefined();
  });

  it.each(['CZ1234', 'PF2ABCDE', 'J1234567', '00000001', 'VMware-42 1a 2b', 'SN-0', 'None1'])(
    'keeps the real serial %j',
    (serial) => {
      expect(isPlaceholderSerial(serial)).toBe(false);
      expect(normalizeIdentity({ serial, macs: ['52:54:00:00:00:01'] }).serial).toBe(serial);
    },
  );
});

describe('placeholder SMBIOS UUIDs identify nothing', () => {
  it.each([
    '00000000-0000-0000-0000-000000000000',
    'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
    'ffffffff-ffff-ffff-ffff-ffffffffffff',
    '03000200-0400-0500-0006-000700080009',
    ' 03000200-0400-0500-0006-000700080009 ',
    '00020003-0004-0005-0006-000700080009',
    '12345678-1234-5678-90AB-CDDEEFAABBCC',
    '11111111-1111-1111-1111-111111111111',
    'not-a-uuid',
    '',
    '   ',
  ])('%j', (smbiosUuid) => {
    expect(normalizeIdentity({ smbiosUuid, macs: ['52:54:00:00:00:01'] }).smbiosUuid).toBeUndefined();
  });

  it('keeps a real UUID, lower-cased and trimmed', () => {
    expect(isPlaceholderUuid('4c4c4544-0042-3510-8052-b4c04f4b4e32')).toBe(false);
    expect(
      normalizeIdentity({ smbiosUuid: ' 4C4C4544-0042-3510-8052-B4C04F4B4E32 ', macs: ['52:54:00:00:00:01'] })
        .smbiosUuid,
    ).toBe('4c4c4544-0042-3510-8052-b4c04f4b4e32');
  });
});
