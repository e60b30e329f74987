import type { CanActivate, INestApplication } from '@nestjs/common';
import { edgeRequestMiddleware } from './edge-request.middleware.js';
import { EdgeValidationPipe } from './edge-validation.pipe.js';
import { JsonBodyGuard } from './json-body.guard.js';
import { ProblemDetailsFilter } from './problem-details.filter.js';
import { RateLimiter } from './rate-limiter.js';
import { routesOf } from './route-table.js';
import type { RouteEntry } from './request-target.check.js';

export interface HttpEdgeOptions {
  /** The body limit of a route without `@BodyLimit`. */
  readonly bodyLimitBytes: number;
  /** Per client address and per instance; 0 turns the limit off. */
  readonly rateLimitPerMinute: number;
  readonly rateLimitBurst: number;
  /** Runs before the body is read: who may call (the operator-token guard). */
  readonly authentication?: CanActivate;
}

/**
 * What every service's HTTP edge does, in order: rate limit, path and query checks (before
 * routing), authentication (before any body is read), the JSON body with the route's limit and its strings checked (a guard), schema
 * validation naming each field (a pipe), and every error as application/problem+json (a
 * filter). The app must have been created with `bodyParser: false`; call before `listen`.
 */
export function configureHttpEdge(app: INestApplication, options: HttpEdgeOptions): void {
  let routes: readonly RouteEntry[] | undefined;
  app.use(
    edgeRequestMiddleware({
      ...(options.rateLimitPerMinute > 0
        ? {
            limiter: new RateLimiter({
              perMinute: options.rateLimitPerMinute,
              burst: options.rateLimitBurst,
            }),
          }
        : {}),
      // Read on the first request, once Nest has registered every route.
      routes: () => (routes ??= routesOf(app)),
    }),
  );
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.useGlobalGuards(
    ...(options.authentication ? [options.authentication] : []),
    new JsonBodyGuard(options.bodyLimitBytes),
  );
  app.useGlobalPipes(new EdgeValidationPipe());
}
