export {
  defineJob,
  type JobBackoff,
  type JobDefinition,
  type JobInput,
  type JobPayload,
} from './job.definition.js';
export { InvalidJobIdError, InvalidJobPayloadError, UnrecoverableJobError } from './job.errors.js';
export { createJobEvents, type JobEvents, type JobEventsOptions } from './job.events.js';
export {
  createJobQueue,
  type EnqueueOptions,
  type JobCounts,
  type JobProgressValue,
  type JobQueue,
  type JobQueueOptions,
  type JobSnapshot,
} from './job.queue.js';
export {
  createJobWorker,
  type JobContext,
  type JobHandler,
  type JobWorker,
  type JobWorkerOptions,
} from './job.worker.js';
export {
  DEFAULT_COMPLETED_RETENTION,
  DEFAULT_FAILED_RETENTION,
  DEFAULT_PREFIX,
  type JobRetention,
  type RedisConnection,
} from './redis.connection.js';
