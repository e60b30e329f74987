import { envVar, intValue } from '@muster/config';

export function discoveryConfig() {
  return {
    /** How long discovery keeps each report (for operators and conflict review); default 30 days. */
    reportRetentionHours: envVar(
      'MUSTER_DISCOVERY_REPORT_RETENTION_HOURS',
      intValue({ min: 1, max: 24 * 3660 }).default(30 * 24),
    ),
  };
}
