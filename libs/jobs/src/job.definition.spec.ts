import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';

import { defineJob, parsePayload, type JobInput, type JobPayload } from './job.definition.js';
import { InvalidJobPayloadError } from './job.errors.js';

const scan = defineJob({
  queue: 'inventory-scan',
  name: 'scan-site',
  schema: z.object({ siteId: z.string().min(1), deep: z.boolean().default(false) }),
});

describe('defineJob', () => {
  it('defaults to 3 attempts with exponential backoff from 1 s', () => {
    expect(scan).toMatchObject({ attempts: 3, backoff: { type: 'exponential', delayMs: 1000 } });
    expectTypeOf<JobInput<typeof scan>>().toEqualTypeOf<{ siteId: string; deep?: boolean | undefined }>();
    expectTypeOf<JobPayload<typeof scan>>().toEqualTypeOf<{ siteId: string; deep: boolean }>();
  });

  it('refuses names BullMQ cannot use and nonsense attempts', () => {
    expect(() => defineJob({ queue: 'a:b', name: 'x', schema: z.object({}) })).toThrow(/queue name/);
    expect(() => defineJob({ queue: 'a', name: '', schema: z.object({}) })).toThrow(/job name/);
    expect(() => defineJob({ queue: 'a', name: 'x', schema: z.object({}), attempts: 0 })).toThrow(/attempts/);
  });
});

describe('parsePayload', () => {
  it('returns the parsed payload with defaults and unknown keys dropped', () => {
    expect(parsePayload(scan, { siteId: 's1', extra: 1 })).toEqual({ siteId: 's1', deep: false });
  });

  it('names every violation with its path', () => {
    const parse = () => parsePayload(scan, { siteId: '', deep: 'yes' });
    expect(parse).toThrow(InvalidJobPayloadError);
    expect(parse).toThrow(/^invalid payload for job inventory-scan\/scan-site: siteId: .*; deep: /);
  });
});
