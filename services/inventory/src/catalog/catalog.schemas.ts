import { slug } from '@muster/runtime';
import { z } from 'zod';
import { InvalidSelectorError, formatSelector, LABEL_KEY, parseSelector } from '../listing/label-selector.js';
import { InvalidCidrError, normalizeCidr } from './cidr.js';

const IANA_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/;

/** Whether the runtime's time-zone database knows `name` as an IANA zone (not an offset). */
export function isIanaTimeZone(name: string): boolean {
  if (!IANA_NAME.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export const timeZone = z
  .string()
  .max(64)
  .refine(isIanaTimeZone, { error: 'must be an IANA time zone such as Europe/Paris or UTC' });

export const cidr = z
  .string()
  .max(64)
  .transform((text, ctx) => {
    try {
      return normalizeCidr(text);
    } catch (err) {
      if (!(err instanceof InvalidCidrError)) throw err;
      ctx.addIssue({ code: 'custom', message: err.message });
      return z.NEVER;
    }
  });

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

export const maintenanceWindow = z
  .object({
    days: z
      .array(z.enum(DAYS))
      .min(1)
      .max(7)
      .refine((d) => new Set(d).size === d.length, { error: 'must not repeat a day' }),
    start: z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'must be HH:MM (24 h)'),
    durationMinutes: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60),
  })
  .strict();

const networks = z
  .array(cidr)
  .max(1000)
  .transform((list) => [...new Set(list)].sort());

const name = z.string().trim().min(1).max(256);

const siteFields = {
  name,
  timeZone,
  maintenanceWindows: z.array(maintenanceWindow).max(64),
  networks,
  // A number, or the string protobuf JSON writes for a 64-bit field (what GET returns).
  bandwidthBudgetKbps: z
    .union([
      z.number(),
      z
        .string()
        .regex(/^\d{1,16}$/)
        .transform(Number),
    ])
    .pipe(z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)),
  cacheUrl: z
    .url({ protocol: /^https?$/ })
    .max(2048)
    .nullable(),
};
export const siteCreate = z
  .object({
    siteId: slug,
    ...siteFields,
    maintenanceWindows: siteFields.maintenanceWindows.default([]),
    networks: siteFields.networks.default([]),
    bandwidthBudgetKbps: siteFields.bandwidthBudgetKbps.default(0),
    cacheUrl: siteFields.cacheUrl.default(null),
  })
  .strict();
export type SiteValue = z.output<typeof siteCreate>;
/** A PATCH names only what changes (no defaults); `cacheUrl: null` removes the cache. */
export const sitePatch = z.object(siteFields).partial().strict();

const groupFields = { name, description: z.string().max(4096) };
export const groupCreate = z
  .object({ groupId: slug, ...groupFields, description: groupFields.description.default('') })
  .strict();
export type GroupValue = z.output<typeof groupCreate>;
export const groupPatch = z.object(groupFields).partial().strict();

const jsonObject = z
  .record(z.string(), z.json())
  .refine((o) => JSON.stringify(o).length <= 64 * 1024, { error: 'must be at most 64 KiB of JSON' });

const profileFields = {
  name,
  releaseChannel: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'must be a channel name such as stable'),
  configuration: jsonObject,
};
export const profileCreate = z
  .object({ profileId: slug, ...profileFields, configuration: profileFields.configuration.default({}) })
  .strict();
export type ProfileValue = z.output<typeof profileCreate>;
export const profilePatch = z.object(profileFields).partial().strict();

const labelKey = z.string().regex(LABEL_KEY, 'must be a label key (a-z 0-9 . _ / -, ≤ 63)');
export const labelValue = z.string().max(256);
export const labelMap = z
  .record(labelKey, labelValue)
  .refine((l) => Object.keys(l).length <= 64, { error: 'at most 64 labels' });

const factPath = z
  .string()
  .regex(/^[A-Za-z0-9_]{1,64}(\.[A-Za-z0-9_]{1,64}){0,7}$/, 'must be a dotted path such as cpu.architecture');
const factExpected = z
  .union([z.string().max(256), z.number(), z.boolean()])
  .transform((v) => String(v))
  .refine((v) => !/^(>=|<=|>|<)/.test(v) || /^(>=|<=|>|<)-?\d+(\.\d+)?$/.test(v), {
    error: 'a comparison (>=, <=, >, <) needs a number',
  });

const selector = z
  .string()
  .max(2048)
  .transform((text, ctx) => {
    try {
      return formatSelector(parseSelector([text]));
    } catch (err) {
      if (!(err instanceof InvalidSelectorError)) throw err;
      ctx.addIssue({ code: 'custom', message: err.message });
      return z.NEVER;
    }
  });

const ruleFields = {
  priority: z.number().int().min(-1_000_000).max(1_000_000),
  match: z
    .object({
      facts: z
        .record(factPath, factExpected)
        .refine((f) => Object.keys(f).length <= 32, { error: 'at most 32 facts' })
        .optional(),
      network: cidr.optional(),
      labels: selector.optional(),
    })
    .strict(),
  assign: z
    .object({
      siteId: slug.optional(),
      groupId: slug.optional(),
      profileId: slug.optional(),
      labels: labelMap.optional(),
    })
    .strict()
    .refine((a) => a.siteId || a.groupId || a.profileId || Object.keys(a.labels ?? {}).length > 0, {
      error: 'must assign at least one of siteId, groupId, profileId, labels',
    }),
  enabled: z.boolean(),
};
export const ruleCreate = z
  .object({
    ruleId: slug,
    ...ruleFields,
    match: ruleFields.match.default({}),
    enabled: ruleFields.enabled.default(true),
  })
  .strict();
export type RuleValue = z.output<typeof ruleCreate>;
export const rulePatch = z.object(ruleFields).partial().strict();

export const catalogListQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    after: slug.optional(),
  })
  .strict();
export type CatalogListQuery = z.infer<typeof catalogListQuery>;
