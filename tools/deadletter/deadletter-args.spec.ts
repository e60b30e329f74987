import { describe, expect, it } from 'vitest';
import { parseAge, parseDeadLetterArgs, UsageError } from './deadletter-args.js';

describe('deadletter arguments', () => {
  it('parses every command', () => {
    expect(parseDeadLetterArgs(['list'])).toEqual({ kind: 'list', json: false });
    expect(parseDeadLetterArgs(['list', '--consumer', 'inv', '--json'])).toEqual({
      kind: 'list',
      consumer: 'inv',
      json: true,
    });
    expect(parseDeadLetterArgs(['show', '12'])).toEqual({ kind: 'show', seq: 12, json: false });
    expect(parseDeadLetterArgs(['replay', '7'])).toEqual({ kind: 'replay', seq: 7 });
    expect(parseDeadLetterArgs(['replay', '--consumer', 'inv', '--all'])).toEqual({
      kind: 'replay-all',
      consumer: 'inv',
    });
    expect(parseDeadLetterArgs(['purge', '3'])).toEqual({ kind: 'purge', seq: 3 });
    expect(parseDeadLetterArgs(['purge', '--consumer', 'inv'])).toEqual({
      kind: 'purge-many',
      consumer: 'inv',
    });
    expect(parseDeadLetterArgs(['purge', '--older-than', '7d'])).toEqual({
      kind: 'purge-many',
      olderThanMs: 7 * 86_400_000,
    });
  });

  it('refuses what it cannot do safely or does not understand', () => {
    expect(() => parseDeadLetterArgs(['replay', '--consumer', 'inv'])).toThrow(/needs --all/);
    expect(() => parseDeadLetterArgs(['show'])).toThrow(UsageError);
    expect(() => parseDeadLetterArgs(['show', '0'])).toThrow(/one dead-letter sequence/);
    expect(() => parseDeadLetterArgs(['purge'])).toThrow(UsageError);
    expect(() => parseDeadLetterArgs(['list', '--consumer'])).toThrow(/needs a value/);
    expect(() => parseDeadLetterArgs(['list', '--force'])).toThrow(/unknown option/);
    expect(() => parseDeadLetterArgs(['drop'])).toThrow(/unknown command drop/);
    expect(() => parseDeadLetterArgs([])).toThrow(/no command/);
  });

  it('reads ages in seconds, minutes, hours and days', () => {
    expect(parseAge('30s')).toBe(30_000);
    expect(parseAge('30m')).toBe(1_800_000);
    expect(parseAge('12h')).toBe(43_200_000);
    expect(() => parseAge('7 days')).toThrow(/expected a number/);
  });
});
