import { describe, expect, it } from 'vitest';
import { unsafeTextReason } from './unsafe-text.js';

describe('unsafeTextReason', () => {
  it.each([
    ['plain', 'branch-001'],
    ['accents and CJK', 'Zürich 東京'],
    ['a surrogate pair (emoji)', 'rack 🚀'],
    ['space and punctuation', 'Dell Inc. PowerEdge R640 (rev 2)'],
  ])('accepts %s', (_, text) => {
    expect(unsafeTextReason(text)).toBeUndefined();
  });

  it.each([
    ['NUL', 'a\u0000b', /NUL/],
    ['a C0 control', 'a\u0001b', /control character \(U\+0001\)/],
    ['a newline', 'a\nb', /control character \(U\+000A\)/],
    ['DEL', 'a\u007fb', /U\+007F/],
    ['a C1 control', 'a\u0085b', /U\+0085/],
    ['a lone high surrogate', 'a\ud800b', /lone surrogate \(U\+D800\)/],
    ['a lone high surrogate at the end', 'a\ud83d', /lone surrogate/],
    ['a lone low surrogate', '\udc00a', /lone surrogate \(U\+DC00\)/],
    ['a right-to-left override', 'evil\u202egpj.exe', /bidirectional control character \(U\+202E\)/],
    ['a first-strong isolate', 'a\u2068b', /U\+2068/],
  ])('refuses %s', (_, text, reason) => {
    expect(unsafeTextReason(text)).toMatch(reason);
  });
});
