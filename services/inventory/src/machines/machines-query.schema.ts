import { MachineState } from '@muster/contracts';
import { pageLimit, slug } from '@muster/runtime';
import { z } from 'zod';
import { InvalidSelectorError, LABEL_KEY, parseSelector } from '../listing/label-selector.js';
import { decodeMachineCursor, InvalidCursorError } from '../listing/machine-cursor.js';
import { MACHINE_SORTS } from '../listing/machine-sort.js';

/** The states a filter may name, as stored (`DEPLOYED`). */
const STATES = Object.keys(MachineState).filter(
  (k) => Number.isNaN(Number(k)) && k !== 'UNSPECIFIED',
) as (keyof typeof MachineState)[];

/**
 * A state accepts the spelling the API returns (`MACHINE_STATE_DEPLOYED`, protobuf JSON) and
 * the short one (`DEPLOYED`), in any case, and `installing` for PROVISIONING (the issue's
 * word); it yields the stored name.
 */
export const stateFilter = z
  .string()
  .transform((text) => {
    const name = text.toUpperCase().replace(/^MACHINE_STATE_/, '');
    return name === 'INSTALLING' ? 'PROVISIONING' : name;
  })
  .pipe(z.enum(STATES, { error: `must be one of ${STATES.map((s) => `MACHINE_STATE_${s}`).join(', ')}` }));

const rfc3339 = z.iso
  .datetime({ offset: true, error: 'must be an RFC 3339 time, e.g. 2026-11-30T09:00:00Z' })
  .transform((t) => new Date(t));

const selector = z
  .string()
  .max(2048)
  .transform((text, ctx) => {
    try {
      return parseSelector([text]);
    } catch (err) {
      if (!(err instanceof InvalidSelectorError)) throw err;
      ctx.addIssue({ code: 'custom', message: err.message });
      return z.NEVER;
    }
  });

/**
 * `GET /v1/machines`. `label` is a comma list of terms (the HTTP edge refuses a repeated
 * parameter); `after` is the `next` of the previous page of the same sort.
 */
export const listQuery = z
  .object({
    site: slug.optional(),
    group: slug.optional(),
    profile: slug.optional(),
    state: stateFilter.optional(),
    label: selector.optional(),
    release: z.uuid({ error: 'must be a release id (a UUID)' }).optional(),
    seenBefore: rfc3339.optional(),
    seenAfter: rfc3339.optional(),
    q: z.string().min(1).max(128).optional(),
    sort: z.enum(MACHINE_SORTS).default('machineId'),
    limit: pageLimit,
    after: z.string().max(512).optional(),
  })
  .strict()
  .transform((query, ctx) => {
    if (query.after === undefined) return { ...query, cursor: undefined };
    try {
      return { ...query, cursor: decodeMachineCursor(query.after, query.sort) };
    } catch (err) {
      if (!(err instanceof InvalidCursorError)) throw err;
      ctx.addIssue({ code: 'custom', path: ['after'], message: err.message });
      return z.NEVER;
    }
  });
export type ListQuery = z.infer<typeof listQuery>;

export const machineIdParam = z.uuid({ error: 'must be a machine id (a UUID)' });

/** History pages by entry: `after` is the `next` of the previous page. */
export const historyQuery = z
  .object({
    limit: pageLimit,
    after: z
      .string()
      .regex(/^\d{1,19}$/, 'must be a `next` value')
      .optional(),
  })
  .strict();
export type HistoryQuery = z.infer<typeof historyQuery>;

const hostname = z
  .string()
  .max(253)
  .regex(
    /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i,
    'must be a host name (RFC 1123)',
  );

/** PATCH: `labels` is a merge patch (a value sets the label, null removes it); null hostname clears it. */
export const machinePatch = z
  .object({
    labels: z
      .record(
        z.string().regex(LABEL_KEY, 'must be a label key (a-z 0-9 . _ / -, ≤ 63)'),
        z.string().max(256).nullable(),
      )
      .optional(),
    hostname: hostname.nullable().optional(),
  })
  .strict()
  .refine((b) => b.labels !== undefined || b.hostname !== undefined, {
    error: 'must change labels or hostname',
  });
export type MachinePatch = z.infer<typeof machinePatch>;

/** The operator's assignment; it pins the machine (rules leave it alone) unless `pinned: false`. */
export const assignBody = z
  .object({
    siteId: slug.optional(),
    groupId: slug.optional(),
    profileId: slug.optional(),
    pinned: z.boolean().default(true),
  })
  .strict()
  .refine((b) => b.siteId || b.groupId || b.profileId, { error: 'must name a siteId, groupId or profileId' });
export type AssignBody = z.infer<typeof assignBody>;

export const transitionBody = z
  .object({ state: stateFilter, reason: z.string().trim().min(1).max(1024) })
  .strict();
export type TransitionBody = z.infer<typeof transitionBody>;

export const retireBody = z.object({ reason: z.string().trim().min(1).max(1024) }).strict();
export type RetireBody = z.infer<typeof retireBody>;
