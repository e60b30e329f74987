import { describe, expect, it } from 'vitest';
import { operatorActor } from './operator-actor.js';

describe('operatorActor', () => {
  it('prefers the authenticated principal, then the header, then unknown', () => {
    expect(operatorActor({ principal: { name: 'ci-bot' }, headers: { 'x-muster-actor': 'alice' } })).toBe(
      'operator:ci-bot',
    );
    expect(operatorActor({ headers: { 'x-muster-actor': 'alice' } })).toBe('operator:alice');
    expect(operatorActor({ headers: {} })).toBe('operator:unknown');
  });

  it('ignores a name that is not a plain token name', () => {
    expect(operatorActor({ headers: { 'x-muster-actor': 'rule:evil' } })).toBe('operator:unknown');
    expect(operatorActor({ headers: { 'x-muster-actor': 'a b' } })).toBe('operator:unknown');
  });
});
