import { randomUUID } from 'node:crypto';
import { isIP, type BlockList } from 'node:net';
import { Inject, Injectable } from '@nestjs/common';
import { fromJson, type JsonValue } from '@bufbuild/protobuf';
import {
  contracts,
  HardwareFactsSchema,
  InvalidMessageError,
  validate,
  type HardwareFacts,
} from '@muster/contracts';
import { Outbox, OutboxRelay } from '@muster/persistence';
import type { EntityManager } from 'typeorm';
import { conflictRecord } from '../conflicts/conflict-record.js';
import { IdentityConflictsRepository } from '../conflicts/identity-conflicts.repository.js';
import { DISCOVERY_OPTIONS, type DiscoveryOptions } from '../discovery.config.js';
import { normalizeIdentity, normalizeMac, type HardwareIdentity } from '../identity/hardware-identity.js';
import { identityKeys, lockIds } from '../identity/identity-keys.js';
import { decideIdentity, type Disagreement } from '../identity/identity-matcher.js';
import { MachineIdentityRepository, type ReportRow } from '../identity/machine-identity.repository.js';
import { addressToLocate, networkSet, type ReportOrigin } from '../sites/site-decision.js';
import type { DiscoveryReport } from './discovery-report.schema.js';
import { machineDiscovered } from './machine-discovered.event.js';

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

interface ReportContext {
  report: DiscoveryReport;
  identity: HardwareIdentity;
  hardware: HardwareFacts;
  bootMac: string;
  source: string;
  /** The site whose network the report came from; the client's claim never decides it. */
  siteId: string;
  at: Date;
}

/**
 * Turns a boot-time report into a machine identity, in one transaction per report that holds
 * the locks of the report's identity keys only (reports of different machines run in
 * parallel):
 * - a machine seen for the first time is recorded and announced (`machine.discovered`,
 *   revision 1);
 * - a known machine whose identity grew (a new NIC, a UUID or serial learned) is stored with
 *   the next revision and announced again (`rediscovered`), so inventory updates its record;
 * - a known machine with nothing new is counted;
 * - a report whose keys disagree with known machines is recorded as a conflict for an
 *   operator (`GET /v1/discovery/conflicts`) and never merged: it becomes a new machine of its
 *   own (see decideIdentity), or, when it fits several machines equally, is held.
 */
@Injectable()
export class DiscoveryReportsService {
  private readonly trustedRelays: BlockList;

  constructor(
    @Inject(MachineIdentityRepository) private readonly identities: MachineIdentityRepository,
    @Inject(IdentityConflictsRepository) private readonly conflicts: IdentityConflictsRepository,
    @Inject(Outbox) private readonly outbox: Outbox,
    @Inject(OutboxRelay) private readonly relay: OutboxRelay,
    @Inject(DISCOVERY_OPTIONS) options: DiscoveryOptions,
  ) {
    this.trustedRelays = networkSet(options.trustedRelays);
  }

  async receive(report: DiscoveryReport, origin: ReportOrigin): Promise<ReportOutcome> {
    const identity = normalizeIdentity(report);
    const hardware = parseHardware(report.hardware);
    const located = addressToLocate(origin, this.trustedRelays);
    const locks = lockIds(identityKeys(identity));
    const outcome = await this.identities.transaction(async (manager) => {
      const siteId = await this.identities.lockKeysAndLocateSite(
        manager,
        locks,
        isIP(located.address) ? located.address : undefined,
      );
      const ctx: ReportContext = {
        report,
        identity,
        hardware,
        bootMac: (report.bootMac && normalizeMac(report.bootMac)) || identity.macs[0]!,
        source: origin.source,
        siteId: siteId ?? UNASSIGNED_SITE,
        at: new Date(),
      };
      return this.decide(manager, ctx);
    });
    if (outcome.kind === 'created' || outcome.kind === 'updated') this.relay.kick();
    return outcome;
  }

  private async decide(manager: EntityManager, ctx: ReportContext): Promise<ReportOutcome> {
    const fresh = randomUUID();
    const found = await this.identities.findRelatedOrInsert(manager, ctx.identity, {
      machineId: fresh,
      siteId: ctx.siteId,
      at: ctx.at,
      report: this.reportRow(ctx, 'created'),
    });
    if (found.created) {
      await this.announce(manager, ctx, fresh, ctx.identity, ctx.siteId, 1n);
      return { kind: 'created', machineId: fresh, siteId: ctx.siteId, revision: 1n, conflictIds: [] };
    }
    const decision = decideIdentity(ctx.identity, found.related);
    if (decision.kind === 'held') {
      const conflictId = await this.recordConflict(manager, ctx, 'held', undefined, decision.conflicts);
      await this.identities.recordReport(manager, undefined, this.reportRow(ctx, 'held'));
      const machineIds = decision.conflicts.map((c) => c.machineId).sort();
      return { kind: 'held', conflictId: conflictId!, machineIds, reason: heldReason(machineIds) };
    }
    if (decision.kind === 'new') {
      // Its keys disagree with known machines: a machine of its own, flagged, never merged.
      await this.identities.insert(manager, fresh, ctx.identity, ctx.siteId, ctx.at);
      const conflictId = await this.recordConflict(manager, ctx, 'new-machine', fresh, decision.conflicts);
      await this.identities.recordReport(manager, fresh, this.reportRow(ctx, 'created:conflict'));
      await this.announce(manager, ctx, fresh, ctx.identity, ctx.siteId, 1n);
      return {
        kind: 'created',
        machineId: fresh,
        siteId: ctx.siteId,
        revision: 1n,
        conflictIds: ids(conflictId),
      };
    }
    const known = found.related.find((m) => m.machineId === decision.machineId)!;
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
        this.reportRow(ctx, `known:${decision.matchedBy}`),
      );
      return { kind: 'known', matchedBy: decision.matchedBy, revision: known.revision, ...placed };
    }
    const revision = await this.identities.changeIdentity(
      manager,
      known.machineId,
      decision.changed,
      ctx.at,
      this.reportRow(ctx, `updated:${decision.matchedBy}`),
    );
    await this.announce(manager, ctx, known.machineId, decision.changed, known.siteId, revision);
    return { kind: 'updated', matchedBy: decision.matchedBy, revision, ...placed };
  }

  private async announce(
    manager: EntityManager,
    ctx: ReportContext,
    machineId: string,
    identity: HardwareIdentity,
    siteId: string,
    revision: bigint,
  ): Promise<void> {
    await this.outbox.add(
      manager,
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
    ctx: ReportContext,
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

  private reportRow(ctx: ReportContext, outcome: string): ReportRow {
    const claimed = ctx.report.siteId;
    return {
      outcome,
      report: ctx.report,
      siteId: ctx.siteId,
      claimedSiteId: claimed !== undefined && claimed !== ctx.siteId ? claimed : undefined,
    };
  }
}

function ids(conflictId: string | undefined): string[] {
  return conflictId ? [conflictId] : [];
}

function heldReason(machineIds: readonly string[]): string {
  return `the report fits machines ${machineIds.join(', ')} equally; held until an operator settles the conflict`;
}

/** Hardware facts arrive as the protobuf JSON form; the schema's rules validate them. */
function parseHardware(json: Record<string, unknown>): HardwareFacts {
  try {
    return validate(HardwareFactsSchema, fromJson(HardwareFactsSchema, json as JsonValue));
  } catch (err) {
    if (err instanceof InvalidMessageError) throw err;
    throw new InvalidMessageError(HardwareFactsSchema.typeName, `hardware: ${(err as Error).message}`);
  }
}
