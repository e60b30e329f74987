import { envVar, intValue } from '@muster/config';
import { z } from 'zod';
import { InvalidCidrError, networkSet } from './sites/site-decision.js';

/** Comma-separated networks (`10.255.0.0/24,192.0.2.7`); each must parse. */
const networkList = z
  .string()
  .optional()
  .transform((text) =>
    (text ?? '')
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part.length > 0),
  )
  .superRefine((cidrs, ctx) => {
    try {
      networkSet(cidrs);
    } catch (err) {
      if (!(err instanceof InvalidCidrError)) throw err;
      ctx.addIssue({ code: 'custom', message: err.message });
    }
  });

/** Discovery's own settings, beside the common ones. */
export function discoveryConfig() {
  return {
    /** How long discovery keeps each report (for operators and conflict review); default 30 days. */
    reportRetentionHours: envVar(
      'MUSTER_DISCOVERY_REPORT_RETENTION_HOURS',
      intValue({ min: 1, max: 24 * 3660 }).default(30 * 24),
    ),
    /**
     * DHCP relays and HTTP proxies whose requests carry a machine's report on its behalf:
     * only from these is the reported relay address (giaddr) used to decide the site.
     */
    trustedRelays: envVar('MUSTER_DISCOVERY_TRUSTED_RELAYS', networkList),
  };
}

export interface DiscoveryOptions {
  trustedRelays: readonly string[];
}

export const DISCOVERY_OPTIONS = Symbol('DISCOVERY_OPTIONS');
