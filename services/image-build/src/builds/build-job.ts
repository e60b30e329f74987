import { defineJob } from '@muster/jobs';
import { z } from 'zod';

/** One image build in the BullMQ queue; the build id is the job id, so a re-enqueue is a no-op. */
export const buildJob = defineJob({
  queue: 'image-builds',
  name: 'build',
  schema: z.object({ buildId: z.uuid(), recipeDigest: z.string().regex(/^[0-9a-f]{64}$/) }).strict(),
  attempts: 2,
  backoff: { type: 'exponential', delayMs: 30_000 },
});
