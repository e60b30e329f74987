import { ConflictException } from '@nestjs/common';
import type { ReportOutcome } from './discovery-reports.service.js';

export interface ReportResponse {
  machineId: string;
  outcome: 'created' | 'known' | 'updated';
  matchedBy?: string;
  /** The site the server decided, whatever the report claimed. */
  siteId: string;
  revision: string;
  /** Conflicts this report was recorded in (see GET /v1/discovery/conflicts). */
  conflictIds?: string[];
}

/**
 * The HTTP answer to a report: 201 for a machine recorded for the first time (also when its
 * keys disagree with another machine's: it is a machine of its own, and the conflict is
 * flagged), 200 for a known one (`updated` when its identity grew), 409 when the report is
 * held because it fits several machines equally.
 */
export function reportResponse(outcome: ReportOutcome): { status: 200 | 201; body: ReportResponse } {
  if (outcome.kind === 'held') {
    throw new ConflictException({
      message: outcome.reason,
      conflictId: outcome.conflictId,
      machineIds: outcome.machineIds,
    });
  }
  const body: ReportResponse = {
    machineId: outcome.machineId,
    outcome: outcome.kind,
    siteId: outcome.siteId,
    revision: String(outcome.revision),
    ...(outcome.kind === 'created' ? {} : { matchedBy: outcome.matchedBy }),
    ...(outcome.conflictIds.length > 0 ? { conflictIds: outcome.conflictIds } : {}),
  };
  return { status: outcome.kind === 'created' ? 201 : 200, body };
}
