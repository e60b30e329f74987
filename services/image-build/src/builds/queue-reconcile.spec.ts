import { describe, expect, it } from 'vitest';
import { reconcileAction } from './queue-reconcile.js';

describe('reconcileAction', () => {
  it('enqueues a queued or running build whose job is gone, cancels one being cancelled', () => {
    expect(reconcileAction('queued', undefined)).toBe('enqueue');
    expect(reconcileAction('running', undefined)).toBe('enqueue');
    expect(reconcileAction('queued', 'unknown')).toBe('enqueue');
    expect(reconcileAction('cancelling', undefined)).toBe('cancel');
  });

  it('fails a build whose job has ended without it', () => {
    expect(reconcileAction('running', 'failed')).toBe('fail');
    expect(reconcileAction('queued', 'failed')).toBe('fail');
    expect(reconcileAction('running', 'completed')).toBe('fail');
  });

  it('leaves a build whose job waits or runs', () => {
    for (const job of ['waiting', 'prioritized', 'delayed', 'active', 'waiting-children'])
      expect(reconcileAction('running', job)).toBe('none');
  });
});
