import { StandardSchemaValidationPipe, type ArgumentMetadata } from '@nestjs/common';
import { InvalidInputError } from './invalid-input.error.js';
import type { InvalidParam } from './problem.js';

type PipeOptions = NonNullable<ConstructorParameters<typeof StandardSchemaValidationPipe>[0]>;
/** One Standard Schema issue, as Nest's pipe hands it over. */
type Issue = Parameters<NonNullable<PipeOptions['exceptionFactory']>>[0][number];

/** Carries the schema's issues from the exception factory to `transform`, which knows where they came from. */
class SchemaIssues extends Error {
  constructor(readonly issues: readonly Issue[]) {
    super('schema issues');
  }
}

const LOCATION: Readonly<Record<string, InvalidParam['in']>> = {
  query: 'query',
  param: 'path',
  body: 'body',
};

/**
 * Nest's Standard Schema pipe, answering a refused value with a 400 that names each field
 * (`invalid-params`), not a list of sentences.
 */
export class EdgeValidationPipe extends StandardSchemaValidationPipe {
  constructor() {
    super({ exceptionFactory: (issues) => new SchemaIssues(issues) });
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the base class's signature
  override async transform<T = any>(value: T, metadata: ArgumentMetadata): Promise<T> {
    try {
      return await super.transform(value, metadata);
    } catch (err) {
      if (!(err instanceof SchemaIssues)) throw err;
      const where = LOCATION[metadata.type] ?? 'body';
      throw new InvalidInputError(err.issues.flatMap((issue) => paramsOf(issue, where, metadata.data)));
    }
  }
}

function paramsOf(issue: Issue, where: InvalidParam['in'], data?: string): InvalidParam[] {
  const path = [
    ...(data ? [data] : []),
    ...(issue.path ?? []).map((s) => String(typeof s === 'object' ? s.key : s)),
  ];
  // zod reports unknown keys of a strict object once, on the object, listing them.
  const keys = (issue as { keys?: unknown }).keys;
  if (Array.isArray(keys) && keys.length > 0) {
    return keys.map((key) => ({
      name: [...path, String(key)].join('.'),
      in: where,
      reason: 'is not accepted here',
    }));
  }
  return [{ name: path.length > 0 ? path.join('.') : where, in: where, reason: issue.message }];
}
