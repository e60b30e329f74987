import { timePageQuery } from '@muster/runtime';
import { z } from 'zod';

export const webhookIdParam = z.uuid({ error: 'must be a webhook id (a UUID)' });

export const createWebhookBody = z
  .object({
    url: z.string().min(1).max(2048),
    /** CloudEvents types or prefixes (`io.muster.inventory.*`); absent or empty: every fleet event. */
    types: z.array(z.string().min(1).max(256)).max(100).optional(),
    site: z.string().max(128).optional(),
  })
  .strict();
export type CreateWebhookBody = z.infer<typeof createWebhookBody>;

export { timePageQuery as pageQuery };
