import { STATUS_CODES } from 'node:http';

/** Where a refused value came from, as in OpenAPI's `in`. */
export type InputLocation = 'query' | 'path' | 'body' | 'header';

/** One refused input, named so that the caller can fix it (RFC 9457's `invalid-params` example). */
export interface InvalidParam {
  readonly name: string;
  readonly in: InputLocation;
  readonly reason: string;
}

/** An RFC 9457 problem document; extension members sit beside the standard ones. */
export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly 'invalid-params'?: readonly InvalidParam[];
  readonly [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const BASE = 'https://muster.dev/problems/';

/**
 * The stable problem types. A client may branch on `type`; it never changes for a given kind
 * of failure, whatever the wording of `detail`.
 */
export const problemTypes = {
  invalidInput: `${BASE}invalid-input`,
  unauthorized: `${BASE}unauthorized`,
  notFound: `${BASE}not-found`,
  methodNotAllowed: `${BASE}method-not-allowed`,
  conflict: `${BASE}conflict`,
  bodyTooLarge: `${BASE}body-too-large`,
  unsupportedMediaType: `${BASE}unsupported-media-type`,
  rateLimited: `${BASE}rate-limited`,
  unavailable: `${BASE}unavailable`,
  internal: `${BASE}internal`,
} as const;

const TYPE_BY_STATUS: Readonly<Record<number, string>> = {
  400: problemTypes.invalidInput,
  401: problemTypes.unauthorized,
  404: problemTypes.notFound,
  405: problemTypes.methodNotAllowed,
  409: problemTypes.conflict,
  413: problemTypes.bodyTooLarge,
  415: problemTypes.unsupportedMediaType,
  429: problemTypes.rateLimited,
  503: problemTypes.unavailable,
  500: problemTypes.internal,
};

/** The problem document for a status; statuses without a type of their own use `about:blank`. */
export function problemFor(status: number, members: Omit<ProblemDetails, 'type' | 'title' | 'status'> = {}) {
  const problem: ProblemDetails = {
    type: TYPE_BY_STATUS[status] ?? 'about:blank',
    title: STATUS_CODES[status] ?? 'Error',
    status,
    ...members,
  };
  return problem;
}

/** A refused input as a 400 problem naming every refused field. */
export function invalidInputProblem(params: readonly InvalidParam[]): ProblemDetails {
  const names = params.map((p) => `${p.in} ${p.name}`).join(', ');
  return problemFor(400, { detail: `invalid input: ${names}`, 'invalid-params': params });
}

interface RawResponse {
  headersSent: boolean;
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  end(body: string): unknown;
}

/** Writes a problem document on a Node (or Express) response. */
export function sendProblem(res: RawResponse, problem: ProblemDetails): void {
  if (res.headersSent) {
    res.end('');
    return;
  }
  res.statusCode = problem.status;
  res.setHeader('content-type', PROBLEM_CONTENT_TYPE);
  res.setHeader('cache-control', 'no-store');
  res.end(JSON.stringify(problem));
}
