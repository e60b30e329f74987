/** A handler throws this when retrying can never succeed: the message goes straight to dead letter. */
export class PermanentFailureError extends Error {
  override readonly name = 'PermanentFailureError';
}

/**
 * A handler throws this when something it depends on (a database, a bucket, another service)
 * does not answer: not the message's fault. The consumer holds the message, spends no attempt
 * on it, and retries once the consumer's dependency probes answer again.
 */
export class DependencyUnavailableError extends Error {
  override readonly name = 'DependencyUnavailableError';
  constructor(
    readonly dependency: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`${dependency} unavailable: ${reason}`, options);
  }
}

/** A query's responder answered with an error instead of a reply. */
export class QueryFailedError extends Error {
  override readonly name = 'QueryFailedError';
  constructor(
    readonly query: string,
    readonly reason: string,
  ) {
    super(`query ${query} failed: ${reason}`);
  }
}
