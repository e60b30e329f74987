import type { z } from 'zod';

import { InvalidJobPayloadError } from './job.errors.js';

export interface JobBackoff {
  readonly type: 'fixed' | 'exponential';
  readonly delayMs: number;
}

/**
 * A typed job: the queue it travels on, its name, the schema of its payload, and its retry
 * policy. Producer and worker import the same definition, so both validate against one schema
 * and agree on attempts (in BullMQ these are set when a job is added, not by the worker).
 */
export interface JobDefinition<In = unknown, Out = In> {
  readonly queue: string;
  readonly name: string;
  readonly schema: z.ZodType<Out, In>;
  /** Total tries including the first; default 3. */
  readonly attempts: number;
  /** Wait between tries; default exponential from 1 s. */
  readonly backoff: JobBackoff;
}

/** The payload a handler receives. */
export type JobPayload<D> = D extends JobDefinition<unknown, infer Out> ? Out : never;
/** The payload a producer passes to `enqueue`. */
export type JobInput<D> = D extends JobDefinition<infer In, unknown> ? In : never;

const QUEUE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function defineJob<S extends z.ZodType>(spec: {
  queue: string;
  name: string;
  schema: S;
  attempts?: number;
  backoff?: JobBackoff;
}): JobDefinition<z.input<S>, z.output<S>> {
  if (!QUEUE_NAME.test(spec.queue))
    throw new TypeError(`queue name ${JSON.stringify(spec.queue)} must match ${QUEUE_NAME.source}`);
  if (spec.name.length === 0) throw new TypeError('job name must not be empty');
  const attempts = spec.attempts ?? 3;
  if (!Number.isInteger(attempts) || attempts < 1) throw new TypeError('attempts must be an integer ≥ 1');
  return Object.freeze({
    queue: spec.queue,
    name: spec.name,
    schema: spec.schema as z.ZodType<z.output<S>, z.input<S>>,
    attempts,
    backoff: Object.freeze({ ...(spec.backoff ?? { type: 'exponential', delayMs: 1000 }) }),
  });
}

/** Validates a payload against its definition; throws InvalidJobPayloadError. */
export function parsePayload<In, Out>(definition: JobDefinition<In, Out>, payload: unknown): Out {
  const result = definition.schema.safeParse(payload);
  if (result.success) return result.data;
  throw new InvalidJobPayloadError(
    `${definition.queue}/${definition.name}`,
    result.error.issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message)),
  );
}
