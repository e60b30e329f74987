import { describe, expect, it } from 'vitest';
import { keyRingEntry } from './key-ring.js';
import { keyRingSetting } from './key-ring-setting.js';
import { generateSigningKey } from './signing-key.js';

describe('keyRingSetting', () => {
  it('keeps a key ring as its text and refuses one that does not parse, saying why', () => {
    const entry = keyRingEntry('k1', generateSigningKey('k1').seed);
    expect(keyRingSetting.parse(` ${entry} `)).toBe(entry);
    const bad = keyRingSetting.safeParse('k1:c2hvcnQ=');
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toMatch(/32 bytes/);
    expect(keyRingSetting.safeParse('no-colon').success).toBe(false);
  });
});
