import { describe, expect, it } from 'vitest';
import { streamLimitsValue } from './stream-limits.parser.js';

describe('streamLimitsValue', () => {
  const parse = (text: string) => streamLimitsValue().safeParse(text);

  it('reads sizes, ages and replicas per stream, and * for every stream', () => {
    const result = parse(
      'INVENTORY.max_bytes=20GiB, INVENTORY.max_age=60d,*.replicas=3,DEADLETTER.max_age=0',
    );
    expect(result.success && result.data).toEqual({
      INVENTORY: { maxBytes: 20 * 1024 ** 3, maxAgeSeconds: 60 * 86_400 },
      '*': { replicas: 3 },
      DEADLETTER: { maxAgeSeconds: 0 },
    });
    expect(parse('').success && parse('').data).toEqual({});
  });

  it.each([
    ['INVENTORY.max_bytes=-1', 'max_bytes'],
    ['INVENTORY.max_bytes=10 parsecs', 'max_bytes'],
    ['INVENTORY.max_age=soon', 'max_age'],
    ['INVENTORY.replicas=7', 'replicas'],
    ['inventory.replicas=3', 'NAME in capitals'],
    ['INVENTORY.retention=work', 'expected NAME'],
  ])('refuses %s naming what is wrong', (text, words) => {
    const result = parse(text);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain(words);
    expect(result.error?.issues[0]?.message).toContain(JSON.stringify(text));
  });
});
