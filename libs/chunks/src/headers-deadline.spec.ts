import { describe, expect, it, vi } from 'vitest';
import { headersDeadline } from './headers-deadline.js';

describe('headersDeadline', () => {
  it('aborts when the headers are late, and never once they have arrived', () => {
    vi.useFakeTimers();
    try {
      const late = headersDeadline(1000);
      vi.advanceTimersByTime(1001);
      expect(late.signal.aborted).toBe(true);
      expect((late.signal.reason as Error).name).toBe('TimeoutError');
      const onTime = headersDeadline(1000);
      onTime.arrived();
      vi.advanceTimersByTime(60_000);
      expect(onTime.signal.aborted).toBe(false);
      const outer = new AbortController();
      const joined = headersDeadline(1000, outer.signal);
      joined.arrived();
      outer.abort();
      expect(joined.signal.aborted).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});
