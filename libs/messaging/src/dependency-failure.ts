import {
  ClosedConnectionError,
  ConnectionError,
  DrainingConnectionError,
  NoRespondersError,
  RequestError,
  TimeoutError,
} from '@nats-io/transport-node';
import { DependencyUnavailableError } from './errors.js';

// Socket errors: the peer is not there (yet), or went away mid-request.
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
// PostgreSQL SQLSTATEs of a server that is stopping, starting or full; class 08 is "connection exception".
const POSTGRES_UNAVAILABLE = new Set(['57P01', '57P02', '57P03', '53300']);
// Drivers that report a lost connection only in words (pg, ioredis).
const LOST_CONNECTION =
  /connection terminated|connection is closed|not queryable|timeout exceeded when trying to connect/i;

/**
 * True when an error says a dependency did not answer rather than that the message is bad:
 * a `DependencyUnavailableError`, a NATS request that timed out or found no responder, a
 * refused or dropped connection, a PostgreSQL server that is shutting down or starting. Looks
 * through `cause`, TypeORM's `driverError` and `AggregateError.errors`.
 */
export function isDependencyFailure(err: unknown, depth = 0): boolean {
  if (depth > 5 || typeof err !== 'object' || err === null) return false;
  if (
    err instanceof DependencyUnavailableError ||
    err instanceof TimeoutError ||
    err instanceof NoRespondersError ||
    err instanceof RequestError ||
    err instanceof ClosedConnectionError ||
    err instanceof DrainingConnectionError ||
    err instanceof ConnectionError
  ) {
    return true;
  }
  const { code, message, cause, driverError, errors } = err as {
    code?: unknown;
    message?: unknown;
    cause?: unknown;
    driverError?: unknown;
    errors?: unknown;
  };
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || POSTGRES_UNAVAILABLE.has(code) || /^08[0-9A-Z]{3}$/.test(code))
      return true;
  }
  if (typeof message === 'string' && LOST_CONNECTION.test(message)) return true;
  if (Array.isArray(errors) && errors.some((e) => isDependencyFailure(e, depth + 1))) return true;
  return isDependencyFailure(cause, depth + 1) || isDependencyFailure(driverError, depth + 1);
}
