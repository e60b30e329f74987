/** The probes of every service, answered without a token (orchestrators and Prometheus call them). */
export const PROBE_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);
