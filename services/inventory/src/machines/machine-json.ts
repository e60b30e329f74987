import type { MachineEntity } from './machine.entity.js';

/**
 * A machine's protobuf JSON — exactly what `toJson(MachineSchema, machineToMessage(row))`
 * writes (machine-json.spec.ts holds them equal), written directly: a page of 100 machines
 * costs a fraction of a millisecond instead of building and walking 100 messages. Protobuf
 * JSON leaves out fields at their default (empty text, false, empty map) and writes 64-bit
 * numbers as strings, enums by name, timestamps in RFC 3339 with 0, 3, 6 or 9 decimals.
 * `hardware` is stored in its protobuf JSON form already.
 */
export function machineJson(row: MachineEntity): Record<string, unknown> {
  const out: Record<string, unknown> = { machineId: row.machineId };
  if (row.siteId) out.siteId = row.siteId;
  if (row.groupId) out.groupId = row.groupId;
  if (row.profileId) out.profileId = row.profileId;
  if (Object.keys(row.labels).length > 0) out.labels = row.labels;
  out.state = `MACHINE_STATE_${row.state}`;
  const identity: Record<string, unknown> = {};
  if (row.smbiosUuid) identity.smbiosUuid = row.smbiosUuid;
  if (row.serial) identity.serial = row.serial;
  if (row.macs.length > 0) identity.macs = row.macs;
  out.identity = identity;
  out.hardware = row.hardware;
  if (row.hostname) out.hostname = row.hostname;
  if (row.agentId) out.agentId = row.agentId;
  if (row.desiredReleaseId) out.desiredReleaseId = row.desiredReleaseId;
  if (row.currentReleaseId) out.currentReleaseId = row.currentReleaseId;
  if (row.revision !== '0') out.revision = String(row.revision);
  out.discoveredAt = timestamp(row.discoveredAt);
  out.updatedAt = timestamp(row.updatedAt);
  if (row.lastSeen) out.lastSeen = timestamp(row.lastSeen);
  if (row.pinned) out.pinned = true;
  if (row.ipAddress) out.ipAddress = row.ipAddress;
  if (row.lastStatus) out.lastStatus = row.lastStatus;
  return out;
}

/** A Date (millisecond precision) as protobuf JSON writes a Timestamp. */
function timestamp(at: Date): string {
  return at.toISOString().replace('.000Z', 'Z');
}
