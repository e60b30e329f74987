import { describe, expect, it } from 'vitest';
import { PROGRESS_EVERY_MS, ProgressReporter } from './progress-reporter.js';

describe('ProgressReporter', () => {
  it('sends a new phase at once and the latest change within a phase after the wait', async () => {
    let now = 1_000_000;
    const sent: string[] = [];
    const reporter = new ProgressReporter(
      async (phase, percent) => void sent.push(`${phase} ${percent}`),
      () => undefined,
      () => now,
    );
    reporter.report('preparing', 0, 'start');
    reporter.report('preparing', 1, 'x');
    reporter.report('preparing', 2, 'y');
    reporter.report('bootstrapping', 10, 'debootstrap');
    now += PROGRESS_EVERY_MS;
    reporter.report('bootstrapping', 20, 'more');
    await reporter.close();
    expect(sent).toEqual(['preparing 0', 'bootstrapping 10', 'bootstrapping 20']);
  });

  it('sends the latest waiting change once the wait is over', async () => {
    const sent: number[] = [];
    const reporter = new ProgressReporter(
      async (_phase, percent) => void sent.push(percent),
      () => undefined,
    );
    reporter.report('customizing', 40, 'a');
    reporter.report('customizing', 41, 'b');
    reporter.report('customizing', 42, 'c');
    await expect.poll(() => sent, { timeout: PROGRESS_EVERY_MS * 3 }).toEqual([40, 42]);
    await reporter.close();
  });

  it('reports a failed send and goes on', async () => {
    const errors: unknown[] = [];
    const sent: string[] = [];
    let first = true;
    const reporter = new ProgressReporter(
      async (phase) => {
        if (first) {
          first = false;
          throw new Error('database away');
        }
        sent.push(phase);
      },
      (err) => errors.push(err),
    );
    reporter.report('preparing', 0, '');
    reporter.report('bootstrapping', 5, '');
    await reporter.close();
    expect(sent).toEqual(['bootstrapping']);
    expect(errors).toHaveLength(1);
  });
});
