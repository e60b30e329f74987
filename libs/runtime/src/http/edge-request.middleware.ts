import type { IncomingMessage, ServerResponse } from 'node:http';
import { invalidInputProblem, problemFor, sendProblem } from './problem.js';
import type { RateLimiter } from './rate-limiter.js';
import { checkPath, checkQueryString, type RouteEntry } from './request-target.check.js';

export interface EdgeRequestOptions {
  /** Applied to the API (`/v1/…`), keyed by the peer address; probes and metrics are not limited. */
  readonly limiter?: RateLimiter;
  /** The application's routes, to name a refused path segment after its parameter. */
  readonly routes: () => readonly RouteEntry[];
}

/**
 * Runs before routing and before any parser: the rate limit, then the path and the query
 * string (see request-target.check.ts). A refusal is answered here as a problem document.
 */
export function edgeRequestMiddleware(options: EdgeRequestOptions) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const target = req.url ?? '/';
    const q = target.indexOf('?');
    const path = q === -1 ? target : target.slice(0, q);
    if (options.limiter && path.startsWith('/v1/')) {
      const decision = options.limiter.take(req.socket.remoteAddress ?? 'unknown');
      if (!decision.ok) {
        res.setHeader('retry-after', String(decision.retryAfterSeconds));
        sendProblem(res, problemFor(429, { detail: 'too many requests from this address; retry later' }));
        return;
      }
    }
    const issues = [
      ...checkPath(path, req.method ?? 'GET', options.routes()),
      ...(q === -1 ? [] : checkQueryString(target.slice(q + 1))),
    ];
    if (issues.length > 0) {
      sendProblem(res, invalidInputProblem(issues));
      return;
    }
    next();
  };
}
