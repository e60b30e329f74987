import { create, fromJson, toJson, type JsonObject } from '@bufbuild/protobuf';
import { timestampDate, timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  AgentStatusSchema,
  HardwareFactsSchema,
  MachineSchema,
  MachineState,
  MachineUpdatedSchema,
  type Machine,
  type MachineDiscovered,
  type MachineUpdated,
} from '@muster/contracts';
import type { MachineEntity } from './machine.entity.js';

/** A machine's row as first recorded from its discovery event. */
export function machineFromDiscovery(event: MachineDiscovered): MachineEntity {
  const at = event.discoveredAt ? timestampDate(event.discoveredAt) : new Date();
  return {
    machineId: event.machineId,
    siteId: event.siteId,
    groupId: null,
    profileId: null,
    labels: {},
    state: MachineState[MachineState.DISCOVERED],
    smbiosUuid: event.identity?.smbiosUuid || null,
    serial: event.identity?.serial || null,
    macs: event.identity?.macs ?? [],
    hardware: event.hardware ? (toJson(HardwareFactsSchema, event.hardware) as JsonObject) : {},
    hostname: null,
    revision: '1',
    discoveryRevision: event.revision.toString(),
    discoveredAt: at,
    updatedAt: at,
    agentId: null,
    desiredReleaseId: null,
    currentReleaseId: null,
    lastSeen: null,
    pinned: false,
    ipAddress: event.ipAddress || null,
    os: null,
    agentFactsSeq: '0',
    agentBeatSeq: '0',
    lastStatus: null,
    agentStatusSeq: '0',
  };
}

export function machineToMessage(row: MachineEntity): Machine {
  return create(MachineSchema, {
    machineId: row.machineId,
    siteId: row.siteId,
    groupId: row.groupId ?? '',
    profileId: row.profileId ?? '',
    labels: row.labels,
    state: MachineState[row.state as keyof typeof MachineState],
    identity: { smbiosUuid: row.smbiosUuid ?? '', serial: row.serial ?? '', macs: row.macs },
    hardware: fromJson(HardwareFactsSchema, row.hardware as JsonObject),
    hostname: row.hostname ?? '',
    revision: BigInt(row.revision),
    discoveredAt: timestampFromDate(row.discoveredAt),
    updatedAt: timestampFromDate(row.updatedAt),
    agentId: row.agentId ?? '',
    desiredReleaseId: row.desiredReleaseId ?? '',
    currentReleaseId: row.currentReleaseId ?? '',
    ...(row.lastSeen ? { lastSeen: timestampFromDate(row.lastSeen) } : {}),
    pinned: row.pinned,
    ipAddress: row.ipAddress ?? '',
    ...(row.lastStatus ? { lastStatus: fromJson(AgentStatusSchema, row.lastStatus as JsonObject) } : {}),
  });
}

/** The `machine.updated` event announcing a row's current state. */
export function machineUpdated(
  row: MachineEntity,
  changedFields: string[],
  reason: string,
  actor = 'discovery',
  previousSiteId = '',
): MachineUpdated {
  return create(MachineUpdatedSchema, {
    machineId: row.machineId,
    siteId: row.siteId,
    groupId: row.groupId ?? '',
    profileId: row.profileId ?? '',
    labels: row.labels,
    state: MachineState[row.state as keyof typeof MachineState],
    revision: BigInt(row.revision),
    changedFields,
    updatedAt: timestampFromDate(row.updatedAt),
    reason,
    actor,
    agentId: row.agentId ?? '',
    desiredReleaseId: row.desiredReleaseId ?? '',
    currentReleaseId: row.currentReleaseId ?? '',
    hostname: row.hostname ?? '',
    pinned: row.pinned,
    previousSiteId: previousSiteId !== row.siteId ? previousSiteId : '',
  });
}
