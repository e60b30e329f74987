import { QueueEvents } from 'bullmq';

import { closeRedisClient, createRedisClient } from './internal/redis-client.js';
import type { JobDefinition } from './job.definition.js';
import type { JobProgressValue } from './job.queue.js';
import { DEFAULT_PREFIX, type RedisConnection } from './redis.connection.js';

export interface JobEventsOptions {
  readonly onError?: (error: Error) => void;
}

/**
 * Events of one queue as seen from any process (BullMQ QueueEvents over a Redis stream).
 * Only events after `waitUntilReady()` resolves are seen: await it before enqueueing.
 */
export interface JobEvents {
  /** Each returns a function that removes the listener. */
  readonly onProgress: (
    listener: (event: { jobId: string; progress: JobProgressValue }) => void,
  ) => () => void;
  readonly onCompleted: (listener: (event: { jobId: string; result: unknown }) => void) => () => void;
  /** The job failed for good (retries exhausted or unrecoverable). */
  readonly onFailed: (listener: (event: { jobId: string; reason: string }) => void) => () => void;
  waitUntilReady(): Promise<void>;
  close(): Promise<void>;
}

export function createJobEvents<In, Out>(
  connection: RedisConnection,
  definition: JobDefinition<In, Out>,
  options: JobEventsOptions = {},
): JobEvents {
  const client = createRedisClient(connection, 'blocking');
  const events = new QueueEvents(definition.queue, {
    connection: client,
    prefix: connection.prefix ?? DEFAULT_PREFIX,
  });
  events.on('error', options.onError ?? ((error) => process.emitWarning(error)));

  return {
    onProgress(listener) {
      const forward = ({ jobId, data }: { jobId: string; data: JobProgressValue }) =>
        listener({ jobId, progress: data });
      events.on('progress', forward);
      return () => void events.off('progress', forward);
    },
    onCompleted(listener) {
      const forward = ({ jobId, returnvalue }: { jobId: string; returnvalue: unknown }) =>
        listener({ jobId, result: returnvalue });
      events.on('completed', forward);
      return () => void events.off('completed', forward);
    },
    onFailed(listener) {
      const forward = ({ jobId, failedReason }: { jobId: string; failedReason: string }) =>
        listener({ jobId, reason: failedReason });
      events.on('failed', forward);
      return () => void events.off('failed', forward);
    },
    waitUntilReady: () => events.waitUntilReady(),
    async close() {
      try {
        await events.close();
      } finally {
        await closeRedisClient(client);
      }
    },
  };
}
