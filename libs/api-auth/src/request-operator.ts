import type { Operator } from './operator-tokens.js';

const OPERATOR = Symbol.for('muster.operator');

type WithOperator = { [OPERATOR]?: Operator };

/** Puts the authenticated operator on the request (the HTTP edge does it). */
export function setOperator(request: object, operator: Operator): void {
  (request as WithOperator)[OPERATOR] = operator;
}

/** The operator who made the request, if it came with an operator token. */
export function operatorOf(request: object): Operator | undefined {
  return (request as WithOperator)[OPERATOR];
}

/**
 * Who made the request, for an audit entry or a history row: `operator:<token name>`, or
 * `fallback` on a route that authenticates its callers its own way.
 */
export function actorOf(request: object, fallback = 'unknown'): string {
  return operatorOf(request)?.actor ?? fallback;
}
