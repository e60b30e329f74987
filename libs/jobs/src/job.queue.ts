import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { Queue, type JobState } from 'bullmq';

import { traceMetadata } from './internal/job-trace.js';
import { closeRedisClient, createRedisClient, keepJobs } from './internal/redis-client.js';
import { parsePayload, type JobDefinition } from './job.definition.js';
import { InvalidJobIdError } from './job.errors.js';
import {
  DEFAULT_COMPLETED_RETENTION,
  DEFAULT_FAILED_RETENTION,
  DEFAULT_PREFIX,
  type JobRetention,
  type RedisConnection,
} from './redis.connection.js';

const tracer = trace.getTracer('@muster/jobs');

export interface JobQueueOptions {
  readonly removeOnComplete?: JobRetention;
  readonly removeOnFail?: JobRetention;
  /** Connection and other background errors; default process.emitWarning. */
  readonly onError?: (error: Error) => void;
}

export interface EnqueueOptions {
  /**
   * The idempotency key. While a job with this id exists in Redis (waiting, delayed, active,
   * completed or failed and not yet removed by retention), enqueueing it again is a no-op.
   */
  readonly jobId: string;
  readonly delayMs?: number;
  /**
   * 1 (first) to 2,097,151: a waiting job with a lower number is taken before one with a
   * higher number. A job without a priority is taken before every prioritized one (BullMQ's
   * rule), so a queue that uses priorities should give one to every job.
   */
  readonly priority?: number;
}

export type JobProgressValue = number | string | boolean | object;

export interface JobSnapshot {
  readonly jobId: string;
  readonly state: JobState | 'unknown';
  readonly payload: unknown;
  readonly progress: JobProgressValue;
  /** Tries that have ended (failed or completed). */
  readonly attemptsMade: number;
  readonly failedReason?: string;
  readonly returnValue?: unknown;
}

export type JobCounts = Readonly<Record<'waiting' | 'active' | 'delayed' | 'completed' | 'failed', number>>;

export interface JobQueue<In = unknown> {
  readonly definition: JobDefinition<In, unknown>;
  /**
   * Validates, then adds the job unless one with the same id is still kept. The job carries
   * the trace context of an `enqueue` span (a child of the active one); the worker's
   * `process` span is its child.
   */
  enqueue(payload: In, options: EnqueueOptions): Promise<{ jobId: string }>;
  inspect(jobId: string): Promise<JobSnapshot | undefined>;
  /**
   * Removes a job that no worker holds (waiting, delayed, completed, failed, or active with its
   * lock expired); true when the job is gone (or never existed), false when a worker runs it.
   */
  remove(jobId: string): Promise<boolean>;
  counts(): Promise<JobCounts>;
  /** For a readiness check: Redis answers PING. */
  isReady(): Promise<boolean>;
  close(): Promise<void>;
}

export function createJobQueue<In, Out>(
  connection: RedisConnection,
  definition: JobDefinition<In, Out>,
  options: JobQueueOptions = {},
): JobQueue<In> {
  const client = createRedisClient(connection, 'producer');
  const queue = new Queue(definition.queue, {
    connection: client,
    prefix: connection.prefix ?? DEFAULT_PREFIX,
    defaultJobOptions: {
      attempts: definition.attempts,
      backoff: { type: definition.backoff.type, delay: definition.backoff.delayMs },
      removeOnComplete: keepJobs(options.removeOnComplete ?? DEFAULT_COMPLETED_RETENTION),
      removeOnFail: keepJobs(options.removeOnFail ?? DEFAULT_FAILED_RETENTION),
    },
  });
  queue.on('error', options.onError ?? ((error) => process.emitWarning(error)));

  return {
    definition,
    async enqueue(payload, { jobId, delayMs, priority }) {
      checkJobId(jobId);
      checkPriority(priority);
      const valid = parsePayload(definition, payload);
      return tracer.startActiveSpan(
        `enqueue ${definition.queue}/${definition.name}`,
        { kind: SpanKind.PRODUCER, attributes: jobAttributes(definition, jobId) },
        async (span) => {
          try {
            const metadata = traceMetadata();
            const job = await queue.add(definition.name, valid, {
              jobId,
              ...(delayMs ? { delay: delayMs } : {}),
              ...(priority === undefined ? {} : { priority }),
              ...(metadata ? { telemetry: { metadata } } : {}),
            });
            return { jobId: job.id ?? jobId };
          } catch (err) {
            span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
            throw err;
          } finally {
            span.end();
          }
        },
      );
    },
    async inspect(jobId) {
      const job = await queue.getJob(jobId);
      if (!job) return undefined;
      return {
        jobId,
        state: await job.getState(),
        payload: job.data,
        progress: job.progress,
        attemptsMade: job.attemptsMade,
        ...(job.failedReason ? { failedReason: job.failedReason } : {}),
        ...(job.returnvalue === undefined || job.returnvalue === null
          ? {}
          : { returnValue: job.returnvalue }),
      };
    },
    async remove(jobId) {
      return (await queue.remove(jobId)) === 1;
    },
    async counts() {
      const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
      return {
        waiting: c['waiting'] ?? 0,
        active: c['active'] ?? 0,
        delayed: c['delayed'] ?? 0,
        completed: c['completed'] ?? 0,
        failed: c['failed'] ?? 0,
      };
    },
    async isReady() {
      try {
        return client.status === 'ready' && (await client.ping()) === 'PONG';
      } catch {
        return false;
      }
    },
    async close() {
      try {
        await queue.close();
      } finally {
        await closeRedisClient(client);
      }
    },
  };
}

/** OpenTelemetry messaging attributes of a job, shared by the enqueue and process spans. */
export function jobAttributes(definition: JobDefinition<unknown, unknown>, jobId: string) {
  return {
    'messaging.system': 'bullmq',
    'messaging.destination.name': definition.queue,
    'messaging.operation.name': definition.name,
    'messaging.message.id': jobId,
  };
}

const MAX_PRIORITY = 2_097_151;

function checkPriority(priority: number | undefined): void {
  if (priority === undefined) return;
  if (!Number.isInteger(priority) || priority < 1 || priority > MAX_PRIORITY)
    throw new RangeError(`priority must be an integer from 1 to ${MAX_PRIORITY}, not ${priority}`);
}

function checkJobId(jobId: string): void {
  if (jobId.length === 0) throw new InvalidJobIdError('jobId must not be empty');
  if (/^\d+$/.test(jobId))
    throw new InvalidJobIdError(`jobId ${jobId} must not be an integer (BullMQ reserves those)`);
  if (jobId.includes(':')) throw new InvalidJobIdError(`jobId ${JSON.stringify(jobId)} must not contain ':'`);
}
