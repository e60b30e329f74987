import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  HardwareIdentitySchema,
  MachineDiscoveredSchema,
  type HardwareFacts,
  type MachineDiscovered,
} from '@muster/contracts';
import type { HardwareIdentity } from '../identity/hardware-identity.js';

/**
 * `machine.discovered` for a machine seen for the first time (revision 1) or for a known one
 * whose identity changed (rediscovered, the record's new revision): inventory applies it only
 * if the revision is above the one it holds, then updates its record and emits
 * `machine.updated`.
 */
export function machineDiscovered(input: {
  machineId: string;
  identity: HardwareIdentity;
  siteId: string;
  bootMac: string;
  ipAddress: string;
  at: Date;
  hardware: HardwareFacts;
  revision: bigint;
}): MachineDiscovered {
  return create(MachineDiscoveredSchema, {
    machineId: input.machineId,
    identity: create(HardwareIdentitySchema, {
      smbiosUuid: input.identity.smbiosUuid ?? '',
      serial: input.identity.serial ?? '',
      macs: input.identity.macs,
    }),
    siteId: input.siteId,
    bootMac: input.bootMac,
    ipAddress: input.ipAddress,
    discoveredAt: timestampFromDate(input.at),
    hardware: input.hardware,
    rediscovered: input.revision > 1n,
    revision: input.revision,
  });
}
