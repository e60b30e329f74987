/** A handler throws this when retrying can never succeed: the message goes straight to dead letter. */
export class PermanentFailureError extends Error {
  override readonly name = 'PermanentFailureError';
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
