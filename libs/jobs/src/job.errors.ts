import { UnrecoverableError } from 'bullmq';

/** A payload that breaks its job's schema; nothing was enqueued. */
export class InvalidJobPayloadError extends Error {
  override readonly name = 'InvalidJobPayloadError';
  constructor(
    readonly job: string,
    readonly violations: readonly string[],
  ) {
    super(`invalid payload for job ${job}: ${violations.join('; ')}`);
  }
}

/** A job id BullMQ cannot take: empty, an integer, or containing ':'. */
export class InvalidJobIdError extends Error {
  override readonly name = 'InvalidJobIdError';
}

/**
 * Thrown by a handler: this try fails and the job fails for good, whatever attempts are left
 * (the job's input is at fault, not something a retry could fix).
 */
export class UnrecoverableJobError extends UnrecoverableError {
  override readonly name = 'UnrecoverableJobError';
}
