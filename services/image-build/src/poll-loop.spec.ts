import { describe, expect, it } from 'vitest';
import { PollLoop } from './poll-loop.js';

describe('PollLoop', () => {
  it('runs a round at once, again on kick, goes on after a failing round, and stop() waits', async () => {
    const errors: unknown[] = [];
    let rounds = 0;
    let release: () => void = () => undefined;
    const loop = new PollLoop(
      async () => {
        rounds++;
        if (rounds === 2) throw new Error('round 2 failed');
        if (rounds === 3) await new Promise<void>((resolve) => (release = resolve));
      },
      3_600_000,
      (err) => errors.push(err),
    );
    loop.start();
    await expect.poll(() => rounds).toBe(1);
    loop.kick();
    await expect.poll(() => rounds).toBe(2);
    loop.kick();
    await expect.poll(() => rounds).toBe(3);
    let stopped = false;
    const stopping = loop.stop().then(() => (stopped = true));
    await Promise.resolve();
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(rounds).toBe(3);
    expect(errors).toEqual([new Error('round 2 failed')]);
  });
});
