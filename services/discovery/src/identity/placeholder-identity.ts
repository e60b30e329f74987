/**
 * Values that firmware reports when the vendor never set them, or copied across a whole
 * product line. Such a value identifies nothing: two machines reporting `Default string` are
 * not the same machine, so discovery treats it as absent. Compared case- and
 * whitespace-insensitively, with trailing dots ignored (`To Be Filled By O.E.M` and
 * `to be filled by o.e.m.` are the same placeholder).
 */
const PLACEHOLDER_SERIALS = new Set(
  [
    '0',
    '0123456789',
    '1234567890',
    '123456789',
    '12345678',
    'base board serial number',
    'chassis serial number',
    'default',
    'default string',
    'empty',
    'invalid',
    'n/a',
    'na',
    'none',
    'not applicable',
    'not available',
    'not specified',
    'not set',
    'null',
    'o.e.m',
    'oem',
    'serial',
    'serial number',
    'serialnumber',
    'sn',
    'system serial number',
    'to be filled by o.e.m',
    'type1productconfigid',
    'unknown',
  ].map(placeholderKey),
);

/** SMBIOS UUIDs shipped unset, or one per product line rather than per machine. */
const PLACEHOLDER_UUIDS = new Set([
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  // The SMBIOS spec's example byte sequence, burnt into many AMI/Gigabyte/Supermicro boards.
  '03000200-0400-0500-0006-000700080009',
  '00020003-0004-0005-0006-000700080009',
  '01234567-89ab-cdef-0123-456789abcdef',
  '12345678-1234-5678-90ab-cddeefaabbcc',
  '12345678-1234-5678-1234-567812345678',
]);

/** Lower case, inner whitespace collapsed, outer whitespace and trailing dots dropped. */
function placeholderKey(value: string): string {
  return value.trim().replace(/\s+/g, ' ').replace(/\.+$/, '').toLowerCase();
}

/** `0000000000`, `XXXXXXXXXX`, `FFFFFFFF`, `..........`: one character repeated. */
function isOneCharRepeated(value: string): boolean {
  const compact = value.replace(/[\s-]/g, '');
  return compact.length > 0 && /^(.)\1*$/.test(compact);
}

/** True when a reported serial number identifies nothing (empty, blank or a known filler). */
export function isPlaceholderSerial(serial: string): boolean {
  const key = placeholderKey(serial);
  return key === '' || PLACEHOLDER_SERIALS.has(key) || isOneCharRepeated(key);
}

/**
 * True when an SMBIOS UUID (already lower-case and trimmed) identifies nothing: a known
 * filler, or one hex digit throughout (all zeros, all F, …).
 */
export function isPlaceholderUuid(uuid: string): boolean {
  return PLACEHOLDER_UUIDS.has(uuid) || isOneCharRepeated(uuid);
}
