import { InvalidSubjectTokenError, SAFE_TOKEN } from './contract.js';

/**
 * Where a consumer puts a message it cannot process (it does not decode, breaks a rule, or
 * failed too often): never dropped, kept with the reason in `headers.deadLetter*` and the
 * original bytes as the body.
 */
export const deadLetter = {
  stream: 'DEADLETTER',
  filter: 'muster.deadletter.>',
  /** `muster.deadletter.<consumer>.v1`, one subject per durable consumer. */
  subject(consumerName: string): string {
    if (!SAFE_TOKEN.test(consumerName)) {
      throw new InvalidSubjectTokenError(
        `dead-letter consumer name ${JSON.stringify(consumerName)} must match ${SAFE_TOKEN.source}`,
      );
    }
    return `muster.deadletter.${consumerName}.v1`;
  },
} as const;
