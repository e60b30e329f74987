import { describe, expect, it } from 'vitest';
import { checkPath, checkQueryString } from './request-target.check.js';

describe('checkQueryString', () => {
  it('accepts ordinary parameters, + as a space and empty values', () => {
    expect(checkQueryString('siteId=branch-001&limit=10&q=a+b&empty=')).toEqual([]);
  });

  it('names a repeated parameter once, however it is spelled', () => {
    expect(checkQueryString('limit=1&li%6Dit=2&limit=3')).toEqual([
      { name: 'limit', in: 'query', reason: 'is repeated 3 times; give it once' },
    ]);
  });

  it('refuses invalid UTF-8 and unsafe characters in names and values', () => {
    expect(checkQueryString('a=%ED%A0%80&b=%00&c%1B=1')).toEqual([
      { name: 'a', in: 'query', reason: 'is not valid percent-encoded UTF-8' },
      { name: 'b', in: 'query', reason: 'must not contain NUL (U+0000)' },
      { name: 'c\u001b', in: 'query', reason: 'its name must not contain a control character (U+001B)' },
    ]);
  });
});

describe('checkPath', () => {
  const routes = [
    { method: 'GET', path: '/v1/machines/:id' },
    { method: 'GET', path: '/v1/machines/:id/history' },
  ];

  it('names the route parameter a refused segment would fill', () => {
    expect(checkPath('/v1/machines/%00/history', 'GET', routes)).toEqual([
      { name: 'id', in: 'path', reason: 'must not contain NUL (U+0000)' },
    ]);
    expect(checkPath('/v1/machines/%E2%80%AE', 'GET', routes)[0]?.name).toBe('id');
  });

  it('names the segment by position when no route fits, and accepts + and ordinary text', () => {
    expect(checkPath('/v1/x%ED%A0%80', 'GET', routes)).toEqual([
      { name: 'path segment 2', in: 'path', reason: 'is not valid percent-encoded UTF-8' },
    ]);
    expect(checkPath('/v1/machines/a+b%20c', 'GET', routes)).toEqual([]);
  });
});
