import { describe, expect, it } from 'vitest';
import {
  formatSelector,
  InvalidSelectorError,
  parseSelector,
  selectorMatches,
  selectorSql,
} from './label-selector.js';

describe('parseSelector', () => {
  it('reads equality, inequality, presence and absence, over repeated texts', () => {
    expect(parseSelector(['role=till, floor!=2', 'gpu', '!retired'])).toEqual([
      { op: 'eq', key: 'role', value: 'till' },
      { op: 'ne', key: 'floor', value: '2' },
      { op: 'exists', key: 'gpu' },
      { op: 'absent', key: 'retired' },
    ]);
    expect(parseSelector(['muster.io/role='])).toEqual([{ op: 'eq', key: 'muster.io/role', value: '' }]);
  });

  it.each(['', 'a,,b', 'Role=x', '=x', '!', 'a=b=c', 'a!=b!=c', '-a'])('refuses %j', (text) => {
    expect(() => parseSelector([text])).toThrow(InvalidSelectorError);
  });

  it('writes back what it read', () => {
    expect(formatSelector(parseSelector(['a=1,b!=2,c,!d']))).toBe('a=1,b!=2,c,!d');
  });
});

describe('selectorMatches', () => {
  const labels = { role: 'till', floor: '2' };
  it.each([
    ['role=till', true],
    ['role=kiosk', false],
    ['floor!=3', true],
    ['floor!=2', false],
    ['gpu!=yes', true],
    ['role', true],
    ['gpu', false],
    ['!gpu', true],
    ['!role', false],
    ['role=till,floor=2', true],
    ['role=till,floor=3', false],
  ])('%s → %s', (text, expected) => {
    expect(selectorMatches(parseSelector([text]), labels)).toBe(expected);
  });
});

describe('selectorSql', () => {
  it('uses containment and key existence, negated for != and !k', () => {
    const params: unknown[] = ['x'];
    const sql = selectorSql(parseSelector(['a=1,b!=2,c,!d']), 'm.labels', params);
    expect(sql).toBe(
      'm.labels @> $2::jsonb AND NOT (m.labels @> $3::jsonb) AND m.labels ? $4 AND NOT (m.labels ? $5)',
    );
    expect(params).toEqual(['x', '{"a":"1"}', '{"b":"2"}', 'c', 'd']);
  });
});
