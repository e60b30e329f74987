import { defineJob } from '@muster/jobs';
import { z } from 'zod';

/**
 * One image build in the BullMQ queue; the build id is the job id, so a re-enqueue is a no-op.
 * A try that fails with a retryable error (a mirror timed out, the disk is full) is tried again
 * after 30 s, then 60 s; a worker that dies mid-build does not use up a try (its build is put
 * back once its lock lapses, once; a second death fails it).
 */
export const buildJob = defineJob({
  queue: 'image-builds',
  name: 'build',
  schema: z.object({ buildId: z.uuid(), recipeDigest: z.string().regex(/^[0-9a-f]{64}$/) }).strict(),
  attempts: 3,
  backoff: { type: 'exponential', delayMs: 30_000 },
});
