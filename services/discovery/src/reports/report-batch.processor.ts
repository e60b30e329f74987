import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { contracts } from '@muster/contracts';
import { prepareMessage, type OutgoingMessage } from '@muster/messaging';
import { Outbox } from '@muster/persistence';
import type { EntityManager } from 'typeorm';
import { conflictRecord } from '../conflicts/conflict-record.js';
import { IdentityConflictsRepository } from '../conflicts/identity-conflicts.repository.js';
import type { HardwareIdentity } from '../identity/hardware-identity.js';
import { decideIdentity, type Disagreement } from '../identity/identity-matcher.js';
import {
  MachineIdentityRepository,
  type RecordedMachine,
  type ReportRow,
} from '../identity/machine-identity.repository.js';
import type { BatchResult } from './keyed-batcher.js';
import { machineDiscovered } from './machine-discovered.event.js';
import { UNASSIGNED_SITE, type ReportItem, type ReportOutcome } from './report-outcome.js';

interface Located extends ReportItem {
  siteId: string;
  at: Date;
}

/**
 * Decides a batch of reports whose identity keys are disjoint in one transaction: lock their
 * keys and locate their sites, read every machine they relate to, decide each (see
 * decideIdentity), then write. New machines — nearly all of a boot storm — are inserted with
 * their reports and their events in two bulk statements; the rarer outcomes (known, changed,
 * conflicting, held) are written row by row. Two reports of one batch that reach the same
 * known machine through different keys: the second goes to a later batch, so it reads what
 * the first wrote.
 */
@Injectable()
export class ReportBatchProcessor {
  constructor(
    @Inject(MachineIdentityRepository) private readonly identities: MachineIdentityRepository,
    @Inject(IdentityConflictsRepository) private readonly conflicts: IdentityConflictsRepository,
    @Inject(Outbox) private readonly outbox: Outbox,
  ) {}

  process(items: readonly ReportItem[]): Promise<BatchResult<ReportOutcome>[]> {
    return this.identities.transaction(async (manager) => {
      const at = new Date();
      const sites = await this.identities.lockKeysAndLocateSites(
        manager,
        [...new Set(items.flatMap((i) => i.lockIds))],
        items.map((i) => i.locateBy),
      );
      const related = await this.identities.findRelatedForUpdate(
        manager,
        items.map((i) => i.identity),
      );
      const fresh: { machineId: string; identity: HardwareIdentity; report: ReportRow }[] = [];
      const events: OutgoingMessage[] = [];
      const reached = new Set<string>();
      const results: BatchResult<ReportOutcome>[] = [];
      for (const [n, item] of items.entries()) {
        const ctx: Located = { ...item, siteId: sites[n] ?? UNASSIGNED_SITE, at };
        const decision = decideIdentity(ctx.identity, related);
        if (decision.kind === 'new' && decision.conflicts.length === 0) {
          const machineId = randomUUID();
          fresh.push({ machineId, identity: ctx.identity, report: reportRow(ctx, 'created') });
          events.push(this.event(ctx, machineId, ctx.identity, ctx.siteId, 1n));
          results.push({
            ok: { kind: 'created', machineId, siteId: ctx.siteId, revision: 1n, conflictIds: [] },
          });
          continue;
        }
        const touches = decision.kind === 'known' ? [decision.machineId] : [];
        if (touches.some((id) => reached.has(id))) {
          results.push({ again: true });
          continue;
        }
        touches.forEach((id) => reached.add(id));
        results.push({ ok: await this.decideOne(manager, ctx, decision, related, events) });
      }
      await this.identities.insertMany(manager, fresh, at);
      await this.outbox.addPrepared(manager, events);
      return results;
    });
  }

  /** The rarer outcomes, row by row; events are added to `events`. */
  private async decideOne(
    manager: EntityManager,
    ctx: Located,
    decision: ReturnType<typeof decideIdentity>,
    related: readonly RecordedMachine[],
    events: OutgoingMessage[],
  ): Promise<ReportOutcome> {
    if (decision.kind === 'held') {
      const conflictId = await this.recordConflict(manager, ctx, 'held', undefined, decision.conflicts);
      await this.identities.recordReport(manager, undefined, reportRow(ctx, 'held'));
      const machineIds = decision.conflicts.map((c) => c.machineId).sort();
      return { kind: 'held', conflictId: conflictId!, machineIds, reason: heldReason(machineIds) };
    }
    if (decision.kind === 'new') {
      // Its keys disagree with known machines': a machine of its own, flagged, never merged.
      const machineId = randomUUID();
      await this.identities.insert(manager, machineId, ctx.identity, ctx.siteId, ctx.at);
      const conflictId = await this.recordConflict(
        manager,
        ctx,
        'new-machine',
        machineId,
        decision.conflicts,
      );
      await this.identities.recordReport(manager, machineId, reportRow(ctx, 'created:conflict'));
      events.push(this.event(ctx, machineId, ctx.identity, ctx.siteId, 1n));
      return { kind: 'created', machineId, siteId: ctx.siteId, revision: 1n, conflictIds: ids(conflictId) };
    }
    const known = related.find((m) => m.machineId === decision.machineId)!;
    const conflictId = await this.recordConflict(
      manager,
      ctx,
      'known-machine',
      known.machineId,
      decision.conflicts,
    );
    const placed = { machineId: known.machineId, siteId: known.siteId, conflictIds: ids(conflictId) };
    if (!decision.changed) {
      await this.identities.touch(
        manager,
        known.machineId,
        ctx.at,
        reportRow(ctx, `known:${decision.matchedBy}`),
      );
      return { kind: 'known', matchedBy: decision.matchedBy, revision: known.revision, ...placed };
    }
    const revision = await this.identities.changeIdentity(
      manager,
      known.machineId,
      decision.changed,
      ctx.at,
      reportRow(ctx, `updated:${decision.matchedBy}`),
    );
    events.push(this.event(ctx, known.machineId, decision.changed, known.siteId, revision));
    return { kind: 'updated', matchedBy: decision.matchedBy, revision, ...placed };
  }

  private event(
    ctx: Located,
    machineId: string,
    identity: HardwareIdentity,
    siteId: string,
    revision: bigint,
  ): OutgoingMessage {
    return prepareMessage(
      this.outbox.source,
      contracts.machineDiscovered,
      { siteId, machineId },
      machineDiscovered({
        machineId,
        identity,
        siteId,
        bootMac: ctx.bootMac,
        ipAddress: ctx.source,
        at: ctx.at,
        hardware: ctx.hardware,
        revision,
      }),
      { about: machineId },
    );
  }

  private async recordConflict(
    manager: EntityManager,
    ctx: Located,
    outcome: 'new-machine' | 'known-machine' | 'held',
    machineId: string | undefined,
    conflicts: readonly Disagreement[],
  ): Promise<string | undefined> {
    const record = conflictRecord({
      outcome,
      machineId,
      identity: ctx.identity,
      conflicts,
      report: ctx.report,
    });
    return record ? this.conflicts.upsert(manager, record) : undefined;
  }
}

function reportRow(ctx: Located, outcome: string): ReportRow {
  const claimed = ctx.report.siteId;
  return {
    outcome,
    report: ctx.report,
    siteId: ctx.siteId,
    claimedSiteId: claimed !== undefined && claimed !== ctx.siteId ? claimed : undefined,
  };
}

function ids(conflictId: string | undefined): string[] {
  return conflictId ? [conflictId] : [];
}

function heldReason(machineIds: readonly string[]): string {
  return `the report fits machines ${machineIds.join(', ')} equally; held until an operator settles the conflict`;
}
