import { MachineState } from '@muster/contracts';
import { pageLimit, slug } from '@muster/runtime';
import { z } from 'zod';

/** The states a filter may name, as stored (`DEPLOYED`). */
const STATES = Object.keys(MachineState).filter(
  (k) => Number.isNaN(Number(k)) && k !== 'UNSPECIFIED',
) as (keyof typeof MachineState)[];

/**
 * A state filter accepts the spelling the API returns (`MACHINE_STATE_DEPLOYED`, protobuf
 * JSON) and the short one (`DEPLOYED`), in any case; it yields the stored name.
 */
export const stateFilter = z
  .string()
  .transform((text) => text.toUpperCase().replace(/^MACHINE_STATE_/, ''))
  .pipe(z.enum(STATES, { error: `must be one of ${STATES.map((s) => `MACHINE_STATE_${s}`).join(', ')}` }));

export const listQuery = z
  .object({
    siteId: slug.optional(),
    state: stateFilter.optional(),
    limit: pageLimit,
    after: z.uuid().optional(),
  })
  .strict();
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
