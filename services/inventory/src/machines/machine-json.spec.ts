import { create, toJson } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { MachineDiscoveredSchema, MachineSchema } from '@muster/contracts';
import { machineJson } from './machine-json.js';
import { machineFromDiscovery, machineToMessage } from './machine-record.js';
import type { MachineEntity } from './machine.entity.js';

const bare = machineFromDiscovery(
  create(MachineDiscoveredSchema, {
    machineId: '0b9f3d1e-5a7c-4c2e-9f00-1234567890ab',
    siteId: 'unassigned',
    identity: { macs: ['52:54:00:00:00:01'] },
    discoveredAt: { seconds: 1_764_489_600n, nanos: 0 },
  }),
);
const full: MachineEntity = {
  ...bare,
  siteId: 'berlin-3',
  groupId: 'tills',
  profileId: 'pos',
  labels: { role: 'till', 'muster.io/floor': '2' },
  state: 'DEPLOYED',
  smbiosUuid: '11111111-1111-4111-8111-111111111111',
  serial: 'SN1',
  macs: ['52:54:00:00:00:01', '52:54:00:00:00:02'],
  hardware: {
    cpu: { architecture: 'amd64', cores: 8 },
    memoryBytes: '17179869184',
    disks: [{ name: 'sda', sizeBytes: '1000' }],
  },
  hostname: 'till-01',
  revision: '42',
  agentId: 'agent-1',
  desiredReleaseId: '22222222-2222-4222-8222-222222222222',
  currentReleaseId: '33333333-3333-4333-8333-333333333333',
  lastSeen: new Date('2026-11-30T09:00:00.123Z'),
  updatedAt: new Date('2026-11-30T09:00:01Z'),
  pinned: true,
  ipAddress: 'fd00::7',
};

describe('machineJson', () => {
  it.each([
    ['a machine just discovered', bare],
    ['a machine with every field', full],
    [
      'a machine with an empty label set and no hostname',
      { ...full, labels: {}, hostname: null, pinned: false, lastSeen: null },
    ],
  ])('writes exactly the protobuf JSON of %s', (_name, row) => {
    expect(machineJson(row)).toEqual(toJson(MachineSchema, machineToMessage(row)));
  });
});
