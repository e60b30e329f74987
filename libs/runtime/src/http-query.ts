import { z } from 'zod';

/** A page size in a list request: 1–1000, 100 when absent. */
export const pageLimit = z.coerce.number().int().min(1).max(1000).default(100);

/** A site, group, profile or agent id: it becomes a subject token, so no dots or wildcards. */
export const slug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a lower-case slug (a-z, 0-9, -; ≤ 63)');
