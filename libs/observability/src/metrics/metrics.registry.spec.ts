import { describe, expect, it } from 'vitest';

import { Metrics } from './metrics.registry.js';

describe('Metrics', () => {
  it('labels every series with the service and includes default metrics', async () => {
    const metrics = new Metrics({ service: 'inventory' });
    metrics
      .counter({ name: 'muster_test_total', help: 'test', labelNames: ['outcome'] })
      .inc({ outcome: 'ok' }, 2);
    const text = await metrics.text();
    expect(text).toContain('muster_test_total{outcome="ok",service="inventory"} 2');
    expect(text).toMatch(/process_cpu_user_seconds_total\{service="inventory"\}/);
  });

  it('returns the existing metric for a name, and refuses another type', () => {
    const metrics = new Metrics({ service: 's', defaultMetrics: false });
    const a = metrics.histogram({ name: 'muster_d_seconds', help: 'd', buckets: [0.1, 1] });
    expect(metrics.histogram({ name: 'muster_d_seconds', help: 'd' })).toBe(a);
    expect(() => metrics.counter({ name: 'muster_d_seconds', help: 'd' })).toThrow(/another type/);
  });

  it('keeps registries apart', async () => {
    const one = new Metrics({ service: 'one', defaultMetrics: false });
    const two = new Metrics({ service: 'two', defaultMetrics: false });
    one.gauge({ name: 'muster_g', help: 'g' }).set(1);
    expect(await two.text()).not.toContain('muster_g');
  });
});
