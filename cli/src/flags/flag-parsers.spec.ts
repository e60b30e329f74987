import { describe, expect, it } from 'vitest';
import {
  applyLabelEdits,
  collectPairs,
  collectSelector,
  parseDuration,
  parseTime,
  parseWindow,
} from './flag-parsers.js';

describe('label selectors', () => {
  it('collects repeated and comma-separated terms: k=v, k!=v, k, !k', () => {
    expect(collectSelector('rack=r1,role!=db', collectSelector('gpu'))).toEqual([
      'gpu',
      'rack=r1',
      'role!=db',
    ]);
    expect(collectSelector('!decommissioned')).toEqual(['!decommissioned']);
  });
  it('refuses what is not a selector', () => {
    for (const bad of ['=v', 'a b=c', '!k=v', 'k=v w', 'k==v'])
      expect(() => collectSelector(bad), bad).toThrow();
  });
});

describe('times and durations', () => {
  const now = () => Date.parse('2026-11-30T12:00:00Z');
  it('takes RFC 3339 or an age', () => {
    expect(parseTime('2026-11-30T09:00:00+01:00', now)).toBe('2026-11-30T08:00:00.000Z');
    expect(parseTime('2h', now)).toBe('2026-11-30T10:00:00.000Z');
    expect(parseTime('7d', now)).toBe('2026-11-23T12:00:00.000Z');
    expect(parseDuration('90s')).toBe(90_000);
  });
  it('refuses anything else', () => {
    for (const bad of ['yesterday', '2h ago', '2026-13-45T00:00:00Z', ''])
      expect(() => parseTime(bad, now), bad).toThrow();
    expect(() => parseDuration('5 minutes')).toThrow();
  });
});

describe('labels and pairs', () => {
  it('sets with k=v and removes with k-', () => {
    expect(applyLabelEdits({ rack: 'r1', old: 'x' }, ['role=db', 'old-', 'rack=r2'])).toEqual({
      rack: 'r2',
      role: 'db',
    });
    expect(() => applyLabelEdits({}, ['bad key=v'])).toThrow();
  });
  it('collects key=value options, keeping = in values', () => {
    expect(collectPairs('cpu.cores=8', collectPairs('a=b=c'))).toEqual({ a: 'b=c', 'cpu.cores': '8' });
    expect(() => collectPairs('novalue')).toThrow();
  });
});

describe('maintenance windows', () => {
  it('reads DAYS@HH:MM+DURATION', () => {
    expect(parseWindow('sat,sun@02:00+4h')).toEqual([
      { days: ['sat', 'sun'], start: '02:00', durationMinutes: 240 },
    ]);
    expect(() => parseWindow('someday@02:00+4h')).toThrow();
  });
});
