import { describe, expect, it } from 'vitest';
import { decodeMachineCursor, encodeMachineCursor, InvalidCursorError } from './machine-cursor.js';

const id = '0b9f3d1e-5a7c-4c2e-9f00-1234567890ab';

describe('machine cursor', () => {
  it('round-trips every sort, with keys that hold any text', () => {
    for (const cursor of [
      { sort: 'machineId' as const, key: null, machineId: id },
      { sort: '-lastSeen' as const, key: '2026-11-30 09:00:00.123456+00', machineId: id },
      { sort: 'lastSeen' as const, key: '-infinity', machineId: id },
      { sort: 'hostname' as const, key: 'till-01,"x"|é', machineId: id },
    ]) {
      expect(decodeMachineCursor(encodeMachineCursor(cursor), cursor.sort)).toEqual(cursor);
    }
  });

  it('refuses a cursor of another sort, naming both', () => {
    const next = encodeMachineCursor({ sort: 'hostname', key: 'a', machineId: id });
    expect(() => decodeMachineCursor(next, 'lastSeen')).toThrow(/sort hostname, not lastSeen/);
  });

  it.each([
    'garbage',
    Buffer.from('[1,2]').toString('base64url'),
    Buffer.from(JSON.stringify(['hostname', 'a', 'not-a-uuid'])).toString('base64url'),
    Buffer.from(JSON.stringify(['hostname', null, id])).toString('base64url'),
    Buffer.from(JSON.stringify(['machineId', 'x', id])).toString('base64url'),
    Buffer.from(JSON.stringify(['hostname', 'x'.repeat(301), id])).toString('base64url'),
  ])('refuses %j', (text) => {
    expect(() =>
      decodeMachineCursor(text, text.length > 0 && text !== 'garbage' ? 'hostname' : 'machineId'),
    ).toThrow(InvalidCursorError);
  });
});
