import { DiscardPolicy, RetentionPolicy, StorageType, type StreamConfig } from '@nats-io/jetstream';
import { describe, expect, it } from 'vitest';
import { streams } from '@muster/contracts';
import { effectiveLimits, reconcileStream, streamConfig } from './stream-reconcile.js';

const inventory = streams.find((s) => s.name === 'INVENTORY')!;
const declared = streamConfig(inventory);
const live = (over: Partial<StreamConfig> = {}): StreamConfig =>
  ({ ...declared, retention: RetentionPolicy.Limits, ...over }) as StreamConfig;

describe('reconcileStream', () => {
  it('leaves a stream that matches its declaration alone', () => {
    expect(reconcileStream(live(), declared)).toEqual({ update: undefined, drift: [], changes: [] });
  });

  it('never lowers what an operator raised, and reports it as drift', () => {
    const raised = live({ num_replicas: 3, max_bytes: declared.max_bytes! * 4, max_age: 0 });
    const { update, drift } = reconcileStream(raised, declared);
    expect(update).toBeUndefined();
    expect(drift.join('\n')).toMatch(/num_replicas is 3, declared 1: kept/);
    expect(drift.join('\n')).toMatch(/max_bytes .* kept/);
    expect(drift.join('\n')).toMatch(/max_age is 0, declared .* kept/);
  });

  it('raises what is below the declaration, and adds missing subjects', () => {
    const small = live({ max_bytes: 1024, subjects: ['muster.inventory.>'] });
    const { update, changes } = reconcileStream(small, declared);
    expect(update?.max_bytes).toBe(declared.max_bytes);
    expect(update?.subjects).toEqual(['muster.inventory.>', 'muster.site.*.inventory.>']);
    expect(changes.join(' ')).toMatch(/max_bytes 1024 →/);
  });

  it('treats an unlimited size or age as the largest value', () => {
    const unlimited = live({ max_bytes: -1 });
    expect(reconcileStream(unlimited, declared).update).toBeUndefined();
    const declaredForever = { ...declared, max_age: 0 };
    expect(reconcileStream(live({ max_age: 3_600e9 }), declaredForever).update?.max_age).toBe(0);
  });

  it('reports a storage or discard policy it will not change', () => {
    const { drift } = reconcileStream(
      live({ storage: StorageType.Memory, discard: DiscardPolicy.Old }),
      declared,
    );
    expect(drift.join('\n')).toMatch(/storage is memory/);
    expect(drift.join('\n')).toMatch(/discard is old/);
  });
});

describe('effectiveLimits', () => {
  it('takes the stream its own setting over *, and * over the default', () => {
    const limits = effectiveLimits(inventory, {
      '*': { replicas: 3, maxBytes: 5 },
      INVENTORY: { maxBytes: 7 },
    });
    expect(limits).toEqual({ ...inventory.limits, replicas: 3, maxBytes: 7 });
  });
});
