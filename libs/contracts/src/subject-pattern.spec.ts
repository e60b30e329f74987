import { describe, expect, it } from 'vitest';
import { patternCovers, patternsOverlap, subjectMatches } from './subject-pattern.js';

describe('subjectMatches', () => {
  it.each([
    ['muster.inventory.>', 'muster.inventory.s1.machine.discovered.v1', true],
    ['muster.inventory.>', 'muster.inventory', false],
    ['muster.agent.*.*.heartbeat.v1', 'muster.agent.s1.a1.heartbeat.v1', true],
    ['muster.agent.*.*.heartbeat.v1', 'muster.agent.s1.a1.status.v1', false],
    ['muster.agent.*.*.heartbeat.v1', 'muster.agent.s1.heartbeat.v1', false],
    ['muster.image.build.failed.v1', 'muster.image.build.failed.v1.x', false],
  ])('%s ~ %s → %s', (pattern, subject, expected) => {
    expect(subjectMatches(pattern, subject)).toBe(expected);
  });
});

describe('patternCovers', () => {
  it.each([
    ['muster.agent.>', 'muster.agent.*.*.status.v1', true],
    ['muster.agent.*.*.status.v1', 'muster.agent.>', false],
    ['muster.agent.*.x', 'muster.agent.y.x', true],
    ['muster.agent.y.x', 'muster.agent.*.x', false],
    ['muster.>', 'muster.>', true],
  ])('%s ⊇ %s → %s', (outer, inner, expected) => {
    expect(patternCovers(outer, inner)).toBe(expected);
  });
});

describe('patternsOverlap', () => {
  it.each([
    ['muster.inventory.>', 'muster.image.>', false],
    ['muster.agent.*.*.status.v1', 'muster.agent.s1.>', true],
    ['muster.agent.*.*.status.v1', 'muster.agent.*.*.facts.v1', false],
    ['muster.a.*', 'muster.a.*.b', false],
    ['muster.>', 'muster', false],
  ])('%s ∩ %s → %s', (a, b, expected) => {
    expect(patternsOverlap(a, b)).toBe(expected);
  });
});
