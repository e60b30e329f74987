import { describe, expect, it } from 'vitest';
import { readReleaseBytes } from './decode-release.js';
import { ReleaseRefusedError } from './release-refusal.js';

describe('readReleaseBytes', () => {
  it('joins what the stream gives', async () => {
    async function* parts() {
      yield Buffer.from('{"a"');
      yield Buffer.from(':1}');
    }
    expect((await readReleaseBytes(parts())).toString()).toBe('{"a":1}');
  });

  it('refuses endless data as too-large and stops reading past maxBytes', async () => {
    let pulled = 0;
    async function* endless() {
      for (;;) {
        pulled += 1;
        yield Buffer.alloc(1000, 0x20);
      }
    }
    const read = readReleaseBytes(endless(), 10_500);
    await expect(read).rejects.toThrow(ReleaseRefusedError);
    await expect(read).rejects.toMatchObject({ reason: 'too-large' });
    expect(pulled).toBe(11);
  });
});
