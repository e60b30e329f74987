import { uniqueName } from '@muster/testing';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';

import {
  createJobEvents,
  createJobQueue,
  createJobWorker,
  defineJob,
  InvalidJobIdError,
  InvalidJobPayloadError,
  type JobDefinition,
  type JobEvents,
  type JobQueue,
  type JobWorker,
  type RedisConnection,
} from '../src/index.js';

const redis = inject('servers').redis;
const connection: RedisConnection = { url: redis.url };

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

const imageBuild = (queue = uniqueName('image_build'), attempts = 3) =>
  defineJob({
    queue,
    name: 'build-image',
    schema: z.object({ imageId: z.string().min(1), layers: z.number().int().positive() }),
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

function work<In, Out>(...args: Parameters<typeof createJobWorker<In, Out, unknown>>): JobWorker<In, Out> {
  const worker = createJobWorker(...args);
  closers.push(() => worker.close());
  return worker;
}

function next<T>(
  subscribe: (listener: (event: T) => void) => () => void,
  match: (event: T) => boolean,
): Promise<T> {
  return new Promise((resolve) => {
    const stop = subscribe((event) => {
      if (!match(event)) return;
      stop();
      resolve(event);
    });
  });
}

describe('@muster/jobs against Redis', () => {
  it('processes an enqueued job to completion, with its progress observed', async () => {
    const def = imageBuild();
    const { queue, events } = open(def);
    await events.waitUntilReady();
    const progress: unknown[] = [];
    events.onProgress(({ jobId, progress: p }) => {
      if (jobId === 'img-1') progress.push(p);
    });
    const completed = next(events.onCompleted, (e) => e.jobId === 'img-1');
    work(connection, def, async (payload, ctx) => {
      await ctx.reportProgress(50);
      await ctx.reportProgress({ stage: 'squashfs', done: payload.layers });
      return { image: payload.imageId, attempt: ctx.attempt };
    });

    await expect(queue.enqueue({ imageId: 'debian-12', layers: 3 }, { jobId: 'img-1' })).resolves.toEqual({
      jobId: 'img-1',
    });
    await expect(completed).resolves.toEqual({ jobId: 'img-1', result: { image: 'debian-12', attempt: 1 } });
    expect(progress).toEqual([50, { stage: 'squashfs', done: 3 }]);
    await expect(queue.inspect('img-1')).resolves.toMatchObject({
      state: 'completed',
      attemptsMade: 1,
      progress: { stage: 'squashfs', done: 3 },
      returnValue: { image: 'debian-12', attempt: 1 },
    });
  });

  it('processes a job id once however often it is enqueued while kept', async () => {
    const def = imageBuild();
    const { queue, events } = open(def);
    await events.waitUntilReady();
    const seen: string[] = [];
    await queue.enqueue({ imageId: 'a', layers: 1 }, { jobId: 'same' });
    await queue.enqueue({ imageId: 'b', layers: 2 }, { jobId: 'same' });
    expect((await queue.counts()).waiting).toBe(1);

    const firstDone = next(events.onCompleted, (e) => e.jobId === 'same');
    work(connection, def, (payload, ctx) => void seen.push(`${ctx.jobId}:${payload.imageId}`));
    await firstDone;
    // Completed and still kept: a third enqueue is a no-op too. A later job proves the queue moved past it.
    await queue.enqueue({ imageId: 'c', layers: 3 }, { jobId: 'same' });
    const sentinel = next(events.onCompleted, (e) => e.jobId === 'sentinel');
    await queue.enqueue({ imageId: 'z', layers: 1 }, { jobId: 'sentinel' });
    await sentinel;
    expect(seen).toEqual(['same:a', 'sentinel:z']);
  });

  it('retries a failing handler up to its attempts, then fails the job with the reason', async () => {
    const def = imageBuild(undefined, 3);
    const { queue, events } = open(def);
    await events.waitUntilReady();
    const tries: { attempt: number; willRetry: boolean }[] = [];
    const failed = next(events.onFailed, (e) => e.jobId === 'flaky');
    work(
      connection,
      def,
      (_payload, ctx) => {
        throw new Error(`mirror unreachable (try ${ctx.attempt} of ${ctx.maxAttempts})`);
      },
      { onFailed: ({ attempt, willRetry }) => tries.push({ attempt, willRetry }) },
    );
    await queue.enqueue({ imageId: 'x', layers: 1 }, { jobId: 'flaky' });

    await expect(failed).resolves.toEqual({ jobId: 'flaky', reason: 'mirror unreachable (try 3 of 3)' });
    // The worker's own event for the last try can trail the queue-wide one.
    await expect.poll(() => tries.length).toBe(3);
    expect(tries).toEqual([
      { attempt: 1, willRetry: true },
      { attempt: 2, willRetry: true },
      { attempt: 3, willRetry: false },
    ]);
    await expect(queue.inspect('flaky')).resolves.toMatchObject({
      state: 'failed',
      attemptsMade: 3,
      failedReason: 'mirror unreachable (try 3 of 3)',
    });
  });

  it('rejects an invalid payload or job id at enqueue and enqueues nothing', async () => {
    const { queue } = open(imageBuild());
    const bad = queue.enqueue({ imageId: '', layers: 1.5 }, { jobId: 'bad' });
    await expect(bad).rejects.toBeInstanceOf(InvalidJobPayloadError);
    await expect(bad).rejects.toThrow(/imageId: .*; layers: /);
    await expect(queue.enqueue({ imageId: 'a', layers: 1 }, { jobId: '42' })).rejects.toBeInstanceOf(
      InvalidJobIdError,
    );
    await expect(queue.enqueue({ imageId: 'a', layers: 1 }, { jobId: 'a:b' })).rejects.toBeInstanceOf(
      InvalidJobIdError,
    );
    await expect(queue.counts()).resolves.toEqual({
      waiting: 0,
      active: 0,
      delayed: 0,
      completed: 0,
      failed: 0,
    });
    await expect(queue.inspect('bad')).resolves.toBeUndefined();
  });

  it('fails a payload the worker finds invalid at once, without retrying', async () => {
    const queueName = uniqueName('image_build');
    const loose = defineJob({
      queue: queueName,
      name: 'build-image',
      schema: z.object({ imageId: z.string() }),
    });
    const strict = imageBuild(queueName, 3);
    const { queue, events } = open(loose);
    await events.waitUntilReady();
    let calls = 0;
    const failed = next(events.onFailed, (e) => e.jobId === 'old-shape');
    work(connection, strict, () => void calls++);
    await queue.enqueue({ imageId: 'a' }, { jobId: 'old-shape' });

    const { reason } = await failed;
    expect(reason).toMatch(/^invalid payload for job .*\/build-image: layers: /);
    expect(calls).toBe(0);
    await expect(queue.inspect('old-shape')).resolves.toMatchObject({ state: 'failed', attemptsMade: 1 });
  });

  it('keeps only as many completed jobs as retention allows, which frees their ids', async () => {
    const def = imageBuild();
    const queue = createJobQueue(connection, def, { removeOnComplete: { count: 2, ageSeconds: 3600 } });
    const events = createJobEvents(connection, def);
    closers.push(
      () => queue.close(),
      () => events.close(),
    );
    await events.waitUntilReady();
    const processed: string[] = [];
    const lastDone = next(events.onCompleted, (e) => e.jobId === 'job-5');
    work(connection, def, (_p, ctx) => void processed.push(ctx.jobId), {
      removeOnComplete: { count: 2, ageSeconds: 3600 },
    });
    for (let i = 1; i <= 5; i++) await queue.enqueue({ imageId: `i${i}`, layers: 1 }, { jobId: `job-${i}` });
    await lastDone;

    expect((await queue.counts()).completed).toBe(2);
    await expect(queue.inspect('job-1')).resolves.toBeUndefined();
    await expect(queue.inspect('job-5')).resolves.toMatchObject({ state: 'completed' });

    // Once removed, the id is free again: the idempotency window is the retention window.
    const again = next(events.onCompleted, (e) => e.jobId === 'job-1');
    await queue.enqueue({ imageId: 'i1', layers: 1 }, { jobId: 'job-1' });
    await again;
    expect(processed).toEqual(['job-1', 'job-2', 'job-3', 'job-4', 'job-5', 'job-1']);
  });

  it('close() waits for the running job to finish', async () => {
    const def = imageBuild();
    const { queue, events } = open(def);
    await events.waitUntilReady();
    let started: () => void = () => undefined;
    const running = new Promise<void>((resolve) => (started = resolve));
    let finished = false;
    const worker = createJobWorker(connection, def, async () => {
      started();
      await new Promise((resolve) => setTimeout(resolve, 300));
      finished = true;
    });
    await queue.enqueue({ imageId: 'slow', layers: 1 }, { jobId: 'slow' });
    await running;
    await worker.close();
    expect(finished).toBe(true);
    await expect(queue.inspect('slow')).resolves.toMatchObject({ state: 'completed' });
  });

  it('cancel() aborts the signal of a running job', async () => {
    const def = imageBuild(undefined, 1);
    const { queue, events } = open(def);
    await events.waitUntilReady();
    const active = next(events.onProgress, (e) => e.jobId === 'long');
    const failed = next(events.onFailed, (e) => e.jobId === 'long');
    const worker = work(connection, def, async (_payload, ctx) => {
      await ctx.reportProgress(1);
      if (!ctx.signal.aborted) {
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
      }
      throw new Error(`cancelled: ${String(ctx.signal.reason)}`);
    });
    await queue.enqueue({ imageId: 'a', layers: 1 }, { jobId: 'long' });
    await active;
    expect(worker.cancel('long', 'operator request')).toBe(true);
    expect(worker.cancel('unknown')).toBe(false);
    await expect(failed).resolves.toEqual({ jobId: 'long', reason: 'cancelled: operator request' });
  });

  it('reports readiness of its Redis connection', async () => {
    const { queue } = open(imageBuild());
    await expect.poll(() => queue.isReady()).toBe(true);
    const unreachable = createJobQueue({ host: '127.0.0.1', port: 1 }, imageBuild(), {
      onError: () => undefined,
    });
    await expect(unreachable.isReady()).resolves.toBe(false);
    await unreachable.close();
  });
});
