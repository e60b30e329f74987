export { defineService, runService, serviceSchema, type ServiceEntry } from './main-entry.js';
export {
  commonServiceConfig,
  serviceConfig,
  type BaseServiceConfigSchema,
  type CommonServiceConfigSchema,
  type ServiceConfigSchema,
} from './service-config.js';
export { createServiceApp } from './create-service-app.js';
export type { ServiceParts, ServiceContext } from './run-service.js';
export type { CoreDependency } from './core-readiness.js';
export { BodyLimit } from './http/body-limit.decorator.js';
export { drained } from './http/drained.js';
export { InvalidInputError } from './http/invalid-input.error.js';
export {
  PROBLEM_CONTENT_TYPE,
  problemTypes,
  type InputLocation,
  type InvalidParam,
  type ProblemDetails,
} from './http/problem.js';
export { RateLimiter, type RateLimiterOptions } from './http/rate-limiter.js';
export type { RouteEntry } from './http/request-target.check.js';
export { routesOf } from './http/route-table.js';
export { unsafeTextReason } from './http/unsafe-text.js';
export { pageLimit, slug } from './http-query.js';
export {
  encodeTimeCursor,
  nextPage,
  timeCursor,
  timePageQuery,
  type TimeCursor,
  type TimePageQuery,
} from './page-cursor.js';
export { OwnAuthentication, OWN_AUTHENTICATION } from './http/own-authentication.decorator.js';
export { OperatorAuth } from './http/operator-auth.js';
export { PROBE_PATHS } from './http/probe-paths.js';
export {
  describeRoutes,
  probeRoutes,
  type RouteDescription,
  type RouteInput,
} from './http/route-descriptions.js';
export { actorOf, operatorOf, type Operator } from '@muster/api-auth';
