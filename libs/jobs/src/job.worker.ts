import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { UnrecoverableError, Worker, type Job } from 'bullmq';

import { contextFromMetadata } from './internal/job-trace.js';
import { closeRedisClient, createRedisClient, keepJobs } from './internal/redis-client.js';
import { parsePayload, type JobDefinition } from './job.definition.js';
import { InvalidJobPayloadError } from './job.errors.js';
import { jobAttributes, type JobProgressValue } from './job.queue.js';
import {
  DEFAULT_COMPLETED_RETENTION,
  DEFAULT_FAILED_RETENTION,
  DEFAULT_PREFIX,
  type JobRetention,
  type RedisConnection,
} from './redis.connection.js';

const tracer = trace.getTracer('@muster/jobs');

export interface JobContext {
  readonly jobId: string;
  /** 1 on the first try. */
  readonly attempt: number;
  readonly maxAttempts: number;
  /** Observable through JobEvents.onProgress and JobQueue.inspect. */
  reportProgress(progress: number | object): Promise<void>;
  /** Aborted by `JobWorker.cancel` or a forced `close`; the handler should stop and throw. */
  readonly signal: AbortSignal;
}

/**
 * Its resolved value is stored as the job's result (JSON); a throw fails this try. It runs
 * inside a `process` span whose parent is the span the job was enqueued in.
 */
export type JobHandler<Out, Result = unknown> = (
  payload: Out,
  context: JobContext,
) => Promise<Result> | Result;

export interface JobWorkerOptions {
  /** Jobs processed at once by this worker; default 1. */
  readonly concurrency?: number;
  readonly removeOnComplete?: JobRetention;
  readonly removeOnFail?: JobRetention;
  /**
   * How long a job's lock lasts without renewal; default BullMQ's 30 s. A worker that dies
   * (killed, its machine lost) stops renewing: once the lock has lapsed, a stalled-job check of
   * any running worker puts the job back to wait, to be tried again.
   */
  readonly lockDurationMs?: number;
  /** How often this worker looks for stalled jobs; default BullMQ's 30 s. */
  readonly stalledIntervalMs?: number;
  /**
   * How many times a job may stall and be put back; one more stall fails it for good
   * ("job stalled more than allowable limit"). Default BullMQ's 1. A stall is not a failed try:
   * it does not count against `attempts`.
   */
  readonly maxStalledCount?: number;
  /** Called after each failed try (including those that will be retried). */
  readonly onFailed?: (event: { jobId: string; attempt: number; willRetry: boolean; error: Error }) => void;
  /** Connection and other background errors; default process.emitWarning. */
  readonly onError?: (error: Error) => void;
}

export interface JobWorker<In = unknown, Out = unknown> {
  readonly definition: JobDefinition<In, Out>;
  /** Resolves once the worker is connected and fetching jobs. */
  waitUntilReady(): Promise<void>;
  /** Aborts the `signal` of a job this worker is running; false if it runs no such job. */
  cancel(jobId: string, reason?: string): boolean;
  /** Stops taking jobs and waits for running ones to finish; `force` aborts them and does not wait. */
  close(force?: boolean): Promise<void>;
}

export function createJobWorker<In, Out, Result>(
  connection: RedisConnection,
  definition: JobDefinition<In, Out>,
  handler: JobHandler<Out, Result>,
  options: JobWorkerOptions = {},
): JobWorker<In, Out> {
  const client = createRedisClient(connection, 'blocking');
  const jobName = `${definition.queue}/${definition.name}`;

  // Three parameters: BullMQ passes the AbortSignal only to processors that declare it.
  const process = (job: Job, _token?: string, signal?: AbortSignal): Promise<Result> => {
    const parent = contextFromMetadata(job.opts.telemetry?.metadata);
    const span = tracer.startSpan(
      `process ${jobName}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          ...jobAttributes(definition, job.id ?? ''),
          'muster.job.attempt': job.attemptsMade + 1,
        },
      },
      parent,
    );
    return context
      .with(trace.setSpan(parent, span), () => run(job, signal))
      .catch((err: unknown) => {
        span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
        throw err;
      })
      .finally(() => span.end());
  };

  const run = async (job: Job, signal?: AbortSignal): Promise<Result> => {
    if (job.name !== definition.name) {
      throw new UnrecoverableError(
        `no handler for job ${definition.queue}/${job.name}: this worker handles ${jobName}`,
      );
    }
    let payload: Out;
    try {
      payload = parsePayload(definition, job.data);
    } catch (err) {
      // A payload that is invalid now will be invalid on every retry.
      if (err instanceof InvalidJobPayloadError) throw new UnrecoverableError(err.message);
      throw err;
    }
    return handler(payload, {
      jobId: job.id ?? '',
      attempt: job.attemptsMade + 1,
      maxAttempts: job.opts.attempts ?? 1,
      reportProgress: (progress: JobProgressValue) => job.updateProgress(progress),
      signal: signal ?? new AbortController().signal,
    });
  };

  const worker = new Worker(definition.queue, process, {
    connection: client,
    prefix: connection.prefix ?? DEFAULT_PREFIX,
    concurrency: options.concurrency ?? 1,
    removeOnComplete: keepJobs(options.removeOnComplete ?? DEFAULT_COMPLETED_RETENTION),
    removeOnFail: keepJobs(options.removeOnFail ?? DEFAULT_FAILED_RETENTION),
    ...(options.lockDurationMs === undefined ? {} : { lockDuration: options.lockDurationMs }),
    ...(options.stalledIntervalMs === undefined ? {} : { stalledInterval: options.stalledIntervalMs }),
    ...(options.maxStalledCount === undefined ? {} : { maxStalledCount: options.maxStalledCount }),
  });
  worker.on('error', options.onError ?? ((error) => globalThis.process.emitWarning(error)));
  const onFailed = options.onFailed;
  if (onFailed) {
    worker.on('failed', (job, error) => {
      if (!job) return;
      const maxAttempts = job.opts.attempts ?? 1;
      const willRetry = !(error instanceof UnrecoverableError) && job.attemptsMade < maxAttempts;
      onFailed({ jobId: job.id ?? '', attempt: job.attemptsMade, willRetry, error });
    });
  }

  return {
    definition,
    waitUntilReady: () => worker.waitUntilReady(),
    cancel: (jobId, reason) => worker.cancelJob(jobId, reason),
    async close(force = false) {
      if (force) worker.cancelAllJobs('worker closing');
      try {
        await worker.close(force);
      } finally {
        await closeRedisClient(client);
      }
    },
  };
}
