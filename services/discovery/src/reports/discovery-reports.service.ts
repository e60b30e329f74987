import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { create, fromJson, type JsonValue } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  contracts,
  HardwareFactsSchema,
  HardwareIdentitySchema,
  InvalidMessageError,
  MachineDiscoveredSchema,
  validate,
} from '@muster/contracts';
import { Outbox, OutboxRelay } from '@muster/persistence';
import { normalizeIdentity, normalizeMac, type HardwareIdentity } from '../identity/hardware-identity.js';
import { matchIdentity } from '../identity/identity-matcher.js';
import { MachineIdentityRepository } from '../identity/machine-identity.repository.js';
import type { DiscoveryReport } from './discovery-report.schema.js';

export const UNASSIGNED_SITE = 'unassigned';

export type ReportOutcome =
  | { kind: 'created'; machineId: string }
  | { kind: 'known'; machineId: string; matchedBy: string }
  | { kind: 'conflict'; machineIds: string[]; reason: string };

/**
 * Turns a boot-time report into a machine identity. A machine seen for the first time is
 * recorded and announced (`machine.discovered`) in one transaction; a known one is counted;
 * a conflict is kept for an operator and announced to nobody.
 */
@Injectable()
export class DiscoveryReportsService {
  constructor(
    @Inject(MachineIdentityRepository) private readonly identities: MachineIdentityRepository,
    @Inject(Outbox) private readonly outbox: Outbox,
    @Inject(OutboxRelay) private readonly relay: OutboxRelay,
  ) {}

  async receive(report: DiscoveryReport, sourceIp: string): Promise<ReportOutcome> {
    const identity = normalizeIdentity(report);
    const hardware = parseHardware(report.hardware);
    const siteId = report.siteId ?? UNASSIGNED_SITE;
    const bootMac = (report.bootMac && normalizeMac(report.bootMac)) || identity.macs[0]!;
    const now = new Date();
    const outcome = await this.identities.transaction(async (manager) => {
      await this.identities.lockIdentities(manager);
      const match = matchIdentity(identity, await this.identities.findRelated(manager, identity));
      if (match.kind === 'conflict') {
        await this.identities.recordReport(manager, null, 'conflict', {
          report,
          reason: match.reason,
          machineIds: match.machineIds,
        });
        return match;
      }
      if (match.kind === 'match') {
        await this.identities.touch(manager, match.machineId, identity, now);
        await this.identities.recordReport(manager, match.machineId, `known:${match.by}`, report);
        return { kind: 'known', machineId: match.machineId, matchedBy: match.by } as const;
      }
      const machineId = randomUUID();
      await this.identities.insert(manager, machineId, identity, siteId, now);
      await this.identities.recordReport(manager, machineId, 'created', report);
      await this.outbox.add(
        manager,
        contracts.machineDiscovered,
        { siteId, machineId },
        create(MachineDiscoveredSchema, {
          machineId,
          identity: toIdentityMessage(identity),
          siteId,
          bootMac,
          ipAddress: sourceIp,
          discoveredAt: timestampFromDate(now),
          hardware,
        }),
        { about: machineId },
      );
      return { kind: 'created', machineId } as const;
    });
    if (outcome.kind === 'created') this.relay.kick();
    return outcome;
  }
}

function toIdentityMessage(
  identity: HardwareIdentity,
): ReturnType<typeof create<typeof HardwareIdentitySchema>> {
  return create(HardwareIdentitySchema, {
    smbiosUuid: identity.smbiosUuid ?? '',
    serial: identity.serial ?? '',
    macs: identity.macs,
  });
}

/** Hardware facts arrive as the protobuf JSON form; the schema's rules validate them. */
function parseHardware(
  json: Record<string, unknown>,
): ReturnType<typeof fromJson<typeof HardwareFactsSchema>> {
  try {
    return validate(HardwareFactsSchema, fromJson(HardwareFactsSchema, json as JsonValue));
  } catch (err) {
    if (err instanceof InvalidMessageError) throw err;
    throw new InvalidMessageError(HardwareFactsSchema.typeName, `hardware: ${(err as Error).message}`);
  }
}
