import { describe, expect, it } from 'vitest';
import { decodeJournal, encodeJournal, journalPath } from './journal.js';

const manifest = 'a'.repeat(64);

describe('journal', () => {
  it('round-trips the good indexes for the same manifest', () => {
    const good = [0, 7, 8, 19];
    expect(decodeJournal(encodeJournal(manifest, 20, good), manifest, 20)).toEqual(good);
    expect(decodeJournal(encodeJournal(manifest, 0, []), manifest, 0)).toEqual([]);
  });

  it('is ignored when written for another manifest, another chunk count, or unreadable', () => {
    const text = encodeJournal(manifest, 20, [1]);
    expect(decodeJournal(text, 'b'.repeat(64), 20)).toBeUndefined();
    expect(decodeJournal(text, manifest, 21)).toBeUndefined();
    expect(decodeJournal(text.slice(0, -2), manifest, 20)).toBeUndefined();
    expect(
      decodeJournal(JSON.stringify({ ...JSON.parse(text), good: 'AA==' }), manifest, 20),
    ).toBeUndefined();
  });

  it('lives beside a file, under stateDir for a device, nowhere for a device without one', () => {
    expect(journalPath('/var/cache/x.squashfs', false, '/state')).toBe('/var/cache/x.squashfs.muster-sync');
    expect(journalPath('/dev/vdb2', true, '/state')).toMatch(/^\/state\/vdb2-[0-9a-f]{16}\.muster-sync$/);
    expect(journalPath('/dev/vdb2', true, undefined)).toBeUndefined();
  });
});
