import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, recipeDigestOf } from './recipe-digest.js';

describe('the recipe digest', () => {
  it('is the SHA-256 of the canonical JSON: keys sorted at every level, undefined dropped, no spaces', () => {
    const recipe = {
      version: '1',
      name: 'a',
      kernel: { package: 'k', cmdline: '' },
      hostname: undefined,
      list: [{ b: 1, a: 2 }],
    };
    const canonical =
      '{"kernel":{"cmdline":"","package":"k"},"list":[{"a":2,"b":1}],"name":"a","version":"1"}';
    expect(canonicalJson(recipe)).toBe(canonical);
    expect(recipeDigestOf(recipe)).toBe(createHash('sha256').update(canonical).digest('hex'));
  });

  it('does not depend on the order keys were written in', () => {
    expect(recipeDigestOf({ a: 1, b: { c: [1, 'x'], d: null } })).toBe(
      recipeDigestOf({ b: { d: null, c: [1, 'x'] }, a: 1 }),
    );
    expect(recipeDigestOf({ a: 1 })).not.toBe(recipeDigestOf({ a: 2 }));
  });
});
