import { describe, expect, it } from 'vitest';
import { ReportPacer } from './report-pacer.js';

describe('ReportPacer', () => {
  it('lets a burst through, then one report per 1/rate seconds', () => {
    let now = 0;
    const pacer = new ReportPacer({ ratePerSecond: 10, burst: 3 }, () => now);
    for (let i = 0; i < 3; i++) {
      expect(pacer.delay()).toBe(0);
      pacer.take();
    }
    expect(pacer.delay()).toBe(100);
    now += 100;
    expect(pacer.delay()).toBe(0);
  });

  it('never saves up more than its burst, however long it was idle', () => {
    let now = 0;
    const pacer = new ReportPacer({ ratePerSecond: 10, burst: 2 }, () => now);
    now += 60_000;
    pacer.take();
    pacer.take();
    expect(pacer.delay()).toBeGreaterThan(0);
  });

  it('after a SlowDown, sends one report per min_report_interval and no burst', () => {
    let now = 0;
    const pacer = new ReportPacer({ ratePerSecond: 100, burst: 50 }, () => now);
    pacer.slowDown(1_000);
    pacer.take();
    expect(pacer.delay()).toBe(1_000);
    now += 1_000;
    expect(pacer.delay()).toBe(0);
    pacer.take();
    expect(pacer.delay()).toBe(1_000);
  });

  it('refuses a rate that would never send', () => {
    expect(() => new ReportPacer({ ratePerSecond: 0 })).toThrow(RangeError);
  });
});
