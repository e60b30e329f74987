/**
 * Who made a change through the operator API, as history records it: `operator:<name>`.
 *
 * The one place that knows where the name comes from. The API-token guard (libs/api-auth) puts
 * the authenticated principal on the request; until it does, the `x-muster-actor` header (set
 * by nothing else) names the operator, and without either the actor is `operator:unknown`.
 */
export function operatorActor(request: unknown): string {
  const req = request as { principal?: { name?: unknown }; headers?: Record<string, unknown> };
  const principal = req.principal?.name;
  if (typeof principal === 'string' && NAME.test(principal)) return `operator:${principal}`;
  const header = req.headers?.['x-muster-actor'];
  if (typeof header === 'string' && NAME.test(header)) return `operator:${header}`;
  return 'operator:unknown';
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/;
