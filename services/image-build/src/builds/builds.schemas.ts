import { recipeBundleSchema } from '@muster/recipes';
import { pageLimit, timeCursor } from '@muster/runtime';
import { z } from 'zod';

export const BUILD_STATES = ['queued', 'running', 'cancelling', 'succeeded', 'failed', 'cancelled'] as const;
export type BuildState = (typeof BUILD_STATES)[number];
export const TERMINAL_STATES: readonly BuildState[] = ['succeeded', 'failed', 'cancelled'];

export const PRIORITIES = { high: 1, normal: 2, low: 3 } as const;
export type Priority = keyof typeof PRIORITIES;

/** `POST /v1/builds`. */
export const submitBuildBody = z
  .object({
    bundle: recipeBundleSchema,
    priority: z.enum(['low', 'normal', 'high']).default('normal'),
    /** `refresh` rebuilds the cached base layer instead of reusing it. */
    cache: z.enum(['use', 'refresh']).default('use'),
  })
  .strict();
export type SubmitBuildBody = z.infer<typeof submitBuildBody>;

const sha256 = /^[0-9a-f]{64}$/;

/** `GET /v1/builds`: newest first; `recipe` is a recipe name or a recipe digest. */
export const listBuildsQuery = z
  .object({
    state: z.enum(BUILD_STATES).optional(),
    recipe: z
      .string()
      .regex(/^([a-z0-9][a-z0-9-]{0,62}|[0-9a-f]{64})$/, 'must be a recipe name or a recipe digest')
      .optional(),
    limit: pageLimit,
    after: timeCursor.optional(),
  })
  .strict();
export type ListBuildsQuery = z.infer<typeof listBuildsQuery>;

export const isDigest = (text: string): boolean => sha256.test(text);

export const buildIdParam = z.uuid({ error: 'must be a build id (a UUID)' });

/** `GET /v1/builds/{id}/log`: resume after this line (as `Last-Event-ID` does). */
export const logQuery = z
  .object({ after: z.coerce.number().int().min(0).max(2_147_483_647).optional() })
  .strict();
export type LogQuery = z.infer<typeof logQuery>;
