import { pageLimit, timeCursor } from '@muster/runtime';
import { z } from 'zod';
import { safeName, sha256Param } from '../delivery/delivery.schemas.js';

export const RELEASE_STATES = ['published', 'revoked'] as const;
export type ReleaseState = (typeof RELEASE_STATES)[number];

export const listReleasesQuery = z.strictObject({
  limit: pageLimit,
  after: timeCursor.optional(),
  image: safeName.optional(),
  architecture: safeName.optional(),
  channel: safeName.optional(),
  state: z.enum(RELEASE_STATES).optional(),
});
export type ListReleasesQuery = z.infer<typeof listReleasesQuery>;

export const promoteBody = z.strictObject({
  channel: safeName,
  /** Raise the image's rollback floor to this sequence (never lowers it). */
  rollbackFloor: z.int().min(0).optional(),
});
export type PromoteBody = z.infer<typeof promoteBody>;

export const revokeBody = z.strictObject({
  reason: z.string().trim().min(1).max(500),
});
export type RevokeBody = z.infer<typeof revokeBody>;

export const MAX_HAVE_IDS = 20_000;
/** 20,000 quoted ids with commas, and room for the rest of the body. */
export const DELTA_PLAN_BODY_LIMIT = MAX_HAVE_IDS * 68 + 4096;

export const deltaPlanBody = z.union([
  z.strictObject({
    fromRelease: z.uuid({ error: 'must be a release id (a UUID)' }),
    includeIds: z.boolean().optional(),
  }),
  z.strictObject({
    // A machine that holds more sends `fromRelease`: its current release names its chunks.
    have: z.array(sha256Param).max(MAX_HAVE_IDS),
    includeIds: z.boolean().optional(),
  }),
]);
export type DeltaPlanBody = z.infer<typeof deltaPlanBody>;
