import { NoRespondersError, RequestError, TimeoutError } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { isDependencyFailure } from './dependency-failure.js';
import { DependencyUnavailableError, PermanentFailureError } from './errors.js';

const withCode = (code: string, message = 'failed') => Object.assign(new Error(message), { code });

describe('isDependencyFailure', () => {
  it('recognises what says a dependency did not answer', () => {
    expect(isDependencyFailure(new DependencyUnavailableError('s3', 'slow down'))).toBe(true);
    expect(isDependencyFailure(new TimeoutError())).toBe(true);
    expect(
      isDependencyFailure(new RequestError('no responders', { cause: new NoRespondersError('x') })),
    ).toBe(true);
    expect(isDependencyFailure(withCode('ECONNREFUSED'))).toBe(true);
    // PostgreSQL: admin shutdown, starting up, a connection exception (class 08).
    expect(isDependencyFailure(withCode('57P01'))).toBe(true);
    expect(isDependencyFailure(withCode('57P03'))).toBe(true);
    expect(isDependencyFailure(withCode('08006'))).toBe(true);
    expect(isDependencyFailure(new Error('Connection terminated unexpectedly'))).toBe(true);
  });

  it('looks through cause, driverError and AggregateError', () => {
    expect(isDependencyFailure(new Error('query failed', { cause: withCode('ECONNRESET') }))).toBe(true);
    expect(
      isDependencyFailure(Object.assign(new Error('QueryFailedError'), { driverError: withCode('57P01') })),
    ).toBe(true);
    expect(isDependencyFailure(new AggregateError([withCode('ECONNREFUSED')], 'connect failed'))).toBe(true);
  });

  it('leaves the message at fault for anything else', () => {
    expect(isDependencyFailure(new Error('machine not found'))).toBe(false);
    expect(isDependencyFailure(new PermanentFailureError('unknown agent'))).toBe(false);
    // A constraint violation is the data's fault, not an outage.
    expect(isDependencyFailure(withCode('23505', 'duplicate key'))).toBe(false);
    expect(isDependencyFailure('a string')).toBe(false);
    expect(isDependencyFailure(undefined)).toBe(false);
  });
});
