import { envVar, intValue } from '@muster/config';
import { z } from 'zod';

/** Comma-separated CIDRs (`127.0.0.0/8,::1/128`): webhook targets allowed inside private ranges. */
const cidrList = z
  .string()
  .optional()
  .transform((text) =>
    (text ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p.length > 0),
  )
  .pipe(z.array(z.union([z.cidrv4(), z.cidrv6()], { error: 'must be a CIDR such as 127.0.0.0/8' })));

/** The api's settings for server-sent events and webhooks. */
export function fleetEventsConfig() {
  return {
    /** Server-sent-event connections one instance serves at once; more get a 503. */
    maxStreams: envVar('MUSTER_EVENTS_MAX_STREAMS', intValue({ min: 1, max: 100_000 }).default(500)),
    /** A comment line this often keeps proxies from closing an idle stream. */
    heartbeatSeconds: envVar('MUSTER_EVENTS_HEARTBEAT_SECONDS', intValue({ min: 1, max: 300 }).default(15)),
    /**
     * Webhook URLs may not point at loopback, link-local, private or other non-public addresses
     * (a registered URL would let anyone with a token make the api call into its own network),
     * except inside these ranges.
     */
    webhookAllowedNetworks: envVar('MUSTER_WEBHOOKS_ALLOWED_NETWORKS', cidrList),
    /** How long one delivery POST may take. */
    webhookTimeoutMs: envVar(
      'MUSTER_WEBHOOKS_TIMEOUT_MS',
      intValue({ min: 100, max: 120_000 }).default(10_000),
    ),
    /** Attempts per delivery before it is marked failed. */
    webhookMaxAttempts: envVar('MUSTER_WEBHOOKS_MAX_ATTEMPTS', intValue({ min: 1, max: 100 }).default(15)),
    /** A delivery older than this is marked failed at its next failure. */
    webhookMaxAgeSeconds: envVar(
      'MUSTER_WEBHOOKS_MAX_AGE_SECONDS',
      intValue({ min: 1, max: 30 * 86_400 }).default(86_400),
    ),
    /** First retry delay; each later one doubles, up to the cap, with full jitter. */
    webhookRetryBaseMs: envVar(
      'MUSTER_WEBHOOKS_RETRY_BASE_MS',
      intValue({ min: 1, max: 3_600_000 }).default(1_000),
    ),
    webhookRetryMaxMs: envVar(
      'MUSTER_WEBHOOKS_RETRY_MAX_MS',
      intValue({ min: 1, max: 86_400_000 }).default(3_600_000),
    ),
    /** Delivered and failed deliveries are kept this long (for `GET …/deliveries`), then forgotten. */
    webhookRetentionDays: envVar(
      'MUSTER_WEBHOOKS_RETENTION_DAYS',
      intValue({ min: 1, max: 3650 }).default(30),
    ),
    /** How often each instance looks for due deliveries when it found none. */
    webhookPollMs: envVar('MUSTER_WEBHOOKS_POLL_MS', intValue({ min: 10, max: 60_000 }).default(1_000)),
  };
}

export interface FleetEventsSettings {
  maxStreams: number;
  heartbeatSeconds: number;
  webhookAllowedNetworks: string[];
  webhookTimeoutMs: number;
  webhookMaxAttempts: number;
  webhookMaxAgeSeconds: number;
  webhookRetryBaseMs: number;
  webhookRetryMaxMs: number;
  webhookRetentionDays: number;
  webhookPollMs: number;
}

export const FLEET_EVENTS_SETTINGS = Symbol('FLEET_EVENTS_SETTINGS');
