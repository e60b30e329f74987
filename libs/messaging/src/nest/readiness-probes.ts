import type { ReadinessRegistry } from '@muster/observability';
import type { DependencyProbe } from '../consumer-options.js';

/**
 * Every readiness check of the service as a consumer's dependency probe: PostgreSQL (registered
 * by the runtime for every service with a database), NATS, and what a service registers itself
 * (S3, Redis). Read when the consumers start (after every module's init has registered its
 * checks), so a handler failure while any of them is down is an outage, not an attempt.
 */
export function readinessProbes(readiness: ReadinessRegistry | undefined): DependencyProbe[] {
  if (!readiness) return [];
  return readiness.names().map((name) => ({
    name,
    check: async () => (await readiness.check(name)).ok,
  }));
}
