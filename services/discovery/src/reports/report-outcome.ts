import type { HardwareFacts } from '@muster/contracts';
import type { HardwareIdentity } from '../identity/hardware-identity.js';
import type { DiscoveryReport } from './discovery-report.schema.js';

export const UNASSIGNED_SITE = 'unassigned';

interface Placed {
  machineId: string;
  siteId: string;
  revision: bigint;
  /** Ids of the conflicts this report was recorded in (empty: none). */
  conflictIds: string[];
}

export type ReportOutcome =
  | ({ kind: 'created' } & Placed)
  | ({ kind: 'known'; matchedBy: string } & Placed)
  | ({ kind: 'updated'; matchedBy: string } & Placed)
  | { kind: 'held'; conflictId: string; machineIds: string[]; reason: string };

/** One report, checked and normalized, waiting for its transaction. */
export interface ReportItem {
  report: DiscoveryReport;
  identity: HardwareIdentity;
  hardware: HardwareFacts;
  bootMac: string;
  /** The request's source address (the event's ip_address). */
  source: string;
  /** The address whose site network decides the site (see addressToLocate). */
  locateBy: string | undefined;
  /** Advisory-lock ids of its identity keys. */
  lockIds: string[];
}
