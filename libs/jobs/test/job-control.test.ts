import { uniqueName } from '@muster/testing';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';

import {
  createJobEvents,
  createJobQueue,
  createJobWorker,
  defineJob,
  UnrecoverableJobError,
  type JobDefinition,
  type JobEvents,
  type JobQueue,
  type JobWorker,
  type JobWorkerOptions,
  type RedisConnection,
} from '../src/index.js';

// Priorities, removal, failing for good and stalled jobs: what a long-running job queue
// (image builds) needs beyond enqueue and process.
const connection: RedisConnection = { url: inject('servers').redis.url };

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

const job = (attempts = 3) =>
  defineJob({
    queue: uniqueName('control'),
    name: 'work',
    schema: z.object({ n: z.number().int() }),
    attempts,
    backoff: { type: 'fixed', delayMs: 10 },
  });

function open<In, Out>(def: JobDefinition<In, Out>): { queue: JobQueue<In>; events: JobEvents } {
  const queue = createJobQueue(connection, def);
  const events = createJobEvents(connection, def);
  closers.push(
    () => queue.close(),
    () => events.close(),
  );
  return { queue, events };
}

function work<In, Out>(
  def: JobDefinition<In, Out>,
  handler: Parameters<typeof createJobWorker<In, Out, unknown>>[2],
  options?: JobWorkerOptions,
): JobWorker<In, Out> {
  const worker = createJobWorker(connection, def, handler, options);
  closers.push(() => worker.close(true));
  return worker;
}

function next<T>(subscribe: (listener: (event: T) => void) => () => void, match: (e: T) => boolean) {
  return new Promise<T>((resolve) => {
    const stop = subscribe((event) => {
      if (!match(event)) return;
      stop();
      resolve(event);
    });
  });
}

describe('@muster/jobs: priorities, removal, failing for good, stalls', () => {
  it('takes waiting jobs by priority, lowest number first', async () => {
    const def = job();
    const { queue, events } = open(def);
    await events.waitUntilReady();
    await queue.enqueue({ n: 3 }, { jobId: 'low', priority: 3 });
    await queue.enqueue({ n: 2 }, { jobId: 'normal', priority: 2 });
    await queue.enqueue({ n: 1 }, { jobId: 'high', priority: 1 });
    const order: string[] = [];
    const last = next(events.onCompleted, (e) => e.jobId === 'low');
    work(def, (_p, ctx) => void order.push(ctx.jobId));
    await last;
    expect(order).toEqual(['high', 'normal', 'low']);
    await expect(queue.enqueue({ n: 1 }, { jobId: 'x', priority: 0 })).rejects.toThrow(/priority/);
  });

  it('removes a waiting job, and not one a worker runs', async () => {
    const def = job();
    const { queue, events } = open(def);
    await events.waitUntilReady();
    await queue.enqueue({ n: 1 }, { jobId: 'waiting' });
    await expect(queue.remove('waiting')).resolves.toBe(true);
    await expect(queue.inspect('waiting')).resolves.toBeUndefined();
    await expect(queue.remove('never-there')).resolves.toBe(true);

    const running = next(events.onProgress, (e) => e.jobId === 'running');
    work(def, async (_p, ctx) => {
      await ctx.reportProgress(1);
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
    });
    await queue.enqueue({ n: 2 }, { jobId: 'running' });
    await running;
    await expect(queue.remove('running')).resolves.toBe(false);
    await expect(queue.inspect('running')).resolves.toMatchObject({ state: 'active' });
  });

  it('fails a job for good on UnrecoverableJobError, whatever attempts are left', async () => {
    const def = job(3);
    const { queue, events } = open(def);
    await events.waitUntilReady();
    const tries: boolean[] = [];
    const failed = next(events.onFailed, (e) => e.jobId === 'bad-input');
    work(
      def,
      () => {
        throw new UnrecoverableJobError('the recipe is wrong');
      },
      { onFailed: ({ willRetry }) => tries.push(willRetry) },
    );
    await queue.enqueue({ n: 1 }, { jobId: 'bad-input' });
    await expect(failed).resolves.toEqual({ jobId: 'bad-input', reason: 'the recipe is wrong' });
    await expect.poll(() => tries).toEqual([false]);
    await expect(queue.inspect('bad-input')).resolves.toMatchObject({ state: 'failed', attemptsMade: 1 });
  });

  it('runs a job again when its worker stops renewing the lock, without counting a try', async () => {
    const def = job(1);
    const { queue, events } = open(def);
    await events.waitUntilReady();
    const stalls = { lockDurationMs: 1_000, stalledIntervalMs: 300 };
    const started = next(events.onProgress, (e) => e.jobId === 'stalls');
    // A worker that hangs, then is closed without waiting: like a killed process, it no longer renews the lock.
    const first = createJobWorker(
      connection,
      def,
      async (_p, ctx) => {
        await ctx.reportProgress(1);
        await new Promise(() => undefined);
      },
      stalls,
    );
    await queue.enqueue({ n: 1 }, { jobId: 'stalls' });
    await started;
    await first.close(true);

    const completed = next(events.onCompleted, (e) => e.jobId === 'stalls');
    work(def, (_p, ctx) => ({ attempt: ctx.attempt }), stalls);
    await expect(completed).resolves.toEqual({ jobId: 'stalls', result: { attempt: 1 } });
  });

  it('fails a job that stalls more often than maxStalledCount', async () => {
    const def = job(3);
    const { queue, events } = open(def);
    await events.waitUntilReady();
    const stalls = { lockDurationMs: 1_000, stalledIntervalMs: 300, maxStalledCount: 0 };
    const started = next(events.onProgress, (e) => e.jobId === 'dies');
    const first = createJobWorker(
      connection,
      def,
      async (_p, ctx) => {
        await ctx.reportProgress(1);
        await new Promise(() => undefined);
      },
      stalls,
    );
    await queue.enqueue({ n: 1 }, { jobId: 'dies' });
    await started;
    await first.close(true);

    const finalFailures: string[] = [];
    const failed = next(events.onFailed, (e) => e.jobId === 'dies');
    let ran = 0;
    work(def, () => void ran++, {
      ...stalls,
      onFailed: ({ jobId, willRetry }) => {
        if (!willRetry) finalFailures.push(jobId);
      },
    });
    await expect(failed).resolves.toEqual({ jobId: 'dies', reason: 'job stalled more than allowable limit' });
    await expect.poll(() => finalFailures).toEqual(['dies']);
    expect(ran).toBe(0);
  });
});
