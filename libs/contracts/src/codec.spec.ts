import { create, toBinary, type DescMessage, type MessageInitShape } from '@bufbuild/protobuf';
import { durationFromMs, timestampFromDate } from '@bufbuild/protobuf/wkt';
import { describe, expect, it } from 'vitest';
import { build, decode, encode, InvalidMessageError } from './codec.js';
import {
  AgentCommandSchema,
  BuildPhase,
  DeploymentPhase,
  DeploymentState,
  GetMachineResponseSchema,
  Interpreter,
  MachineDiscoveredSchema,
  MachineState,
  OutputKind,
  RolloutState,
  Slot,
} from './gen/index.js';
import { contracts } from './messages.js';
import { allContracts } from './registry.js';

const at = timestampFromDate(new Date('2026-06-01T10:00:00Z'));
const later = timestampFromDate(new Date('2026-06-02T10:00:00Z'));
const id = (n: number): string => `0190a5c4-7b3e-7c1d-8f00-${n.toString().padStart(12, '0')}`;
const sha = 'ab'.repeat(32);
const identity = { smbiosUuid: id(9), serial: 'CZ1234', macs: ['52:54:00:12:34:56'] };
const hardware = {
  cpu: { model: 'Xeon', architecture: 'amd64', sockets: 1, cores: 8, threads: 16 },
  memoryBytes: 32n << 30n,
  disks: [{ name: 'nvme0n1', sizeBytes: 512n << 30n, bus: 'nvme' }],
  nics: [{ name: 'enp3s0', mac: '52:54:00:12:34:56', speedMbps: 1000, linkUp: true }],
  smbios: { systemVendor: 'QEMU', productName: 'Standard PC' },
};

const discovered = {
  machineId: id(1),
  identity,
  siteId: 'unassigned',
  bootMac: '52:54:00:12:34:56',
  ipAddress: '10.20.0.17',
  discoveredAt: at,
  hardware,
};

/** One valid message per contract, keyed like the table. */
const command = {
  commandId: id(4),
  agentId: 'a-17',
  issuedAt: at,
  expiresAt: later,
  command: {
    case: 'runScript' as const,
    value: { interpreter: Interpreter.SH, script: 'uptime', timeout: durationFromMs(30_000) },
  },
};

const examples: { [K in keyof typeof contracts]: MessageInitShape<(typeof contracts)[K]['schema']> } = {
  machineDiscovered: discovered,
  machineUpdated: {
    machineId: id(1),
    siteId: 'berlin-3',
    groupId: 'tills',
    profileId: 'pos',
    labels: { 'muster.io/role': 'till', floor: '2' },
    state: MachineState.ASSIGNED,
    revision: 2n,
    changedFields: ['site_id', 'group_id'],
    updatedAt: at,
  },
  siteChanged: {
    siteId: 'berlin-3',
    revision: 4n,
    site: {
      siteId: 'berlin-3',
      name: 'Berlin 3',
      timeZone: 'Europe/Berlin',
      maintenanceWindows: [{ days: ['sat', 'sun'], start: '22:00', durationMinutes: 240 }],
      networks: ['10.3.0.0/16', 'fd00:3::/48'],
      bandwidthBudgetKbps: 50_000n,
      cacheUrl: 'http://cache.berlin-3.example:8080',
      revision: 4n,
    },
    changedAt: at,
  },
  groupChanged: {
    groupId: 'tills',
    revision: 5n,
    group: { groupId: 'tills', name: 'Tills', description: 'Point of sale', revision: 5n },
    changedAt: at,
  },
  profileChanged: {
    profileId: 'pos',
    revision: 6n,
    profile: { profileId: 'pos', name: 'POS', releaseChannel: 'stable', revision: 6n },
    deleted: true,
    changedAt: at,
  },
  assignmentRuleChanged: {
    ruleId: 'arm-boards',
    revision: 7n,
    rule: {
      ruleId: 'arm-boards',
      priority: 10,
      match: { facts: { 'cpu.architecture': 'arm64' }, network: '10.3.0.0/16', labels: 'role=till' },
      assign: { groupId: 'tills', profileId: 'pos', labels: { floor: '2' } },
      enabled: true,
      revision: 7n,
    },
    changedAt: at,
  },
  agentHeartbeat: {
    agentId: 'a-17',
    machineId: id(1),
    seq: 5n,
    sentAt: at,
    uptimeSeconds: 3600n,
    agentVersion: '1.4.2',
    activeSlot: Slot.A,
    currentReleaseId: id(2),
  },
  agentStatus: {
    agentId: 'a-17',
    seq: 6n,
    deploymentId: id(3),
    phase: DeploymentPhase.STAGED,
    progressPercent: 100,
    at,
  },
  agentFacts: {
    agentId: 'a-17',
    seq: 7n,
    machineId: id(1),
    identity,
    hardware,
    os: { id: 'debian', name: 'Debian GNU/Linux', version: '12', kernel: '6.1.0-18-amd64' },
    collectedAt: at,
  },
  agentCommand: {
    command: toBinary(AgentCommandSchema, create(AgentCommandSchema, command)),
    keyId: 'scheduler-20261130',
    signature: new Uint8Array(64),
  },
  imageBuildProgress: {
    buildId: id(5),
    recipeName: 'workstation',
    phase: BuildPhase.BOOTSTRAPPING,
    percent: 40,
    at,
  },
  imageBuildCompleted: {
    buildId: id(5),
    recipeName: 'workstation',
    recipeDigest: sha,
    outputs: [
      { kind: OutputKind.SQUASHFS, objectKey: 'builds/x/root.squashfs', sha256: sha, sizeBytes: 1n << 30n },
    ],
    duration: durationFromMs(600_000),
    completedAt: at,
    architecture: 'amd64',
  },
  imageBuildFailed: {
    buildId: id(5),
    recipeName: 'workstation',
    phase: BuildPhase.CUSTOMIZING,
    error: 'mirror timed out',
    retryable: true,
    failedAt: at,
  },
  imagePublished: {
    releaseId: id(2),
    imageName: 'workstation',
    version: '42',
    architecture: 'amd64',
    documentSha256: sha,
    totalSizeBytes: 1n << 30n,
    chunkCount: 4096n,
    publishedAt: at,
    sequence: 42,
    newStoredBytes: 5n << 20n,
    reusedBytes: 1n << 29n,
  },
  rolloutStateChanged: {
    rolloutId: id(6),
    releaseId: id(2),
    state: RolloutState.RUNNING,
    previousState: RolloutState.PENDING,
    counts: { pending: 7490, inProgress: 10 },
    at,
  },
  deploymentStateChanged: {
    deploymentId: id(3),
    rolloutId: id(6),
    machineId: id(1),
    siteId: 'berlin-3',
    agentId: 'a-17',
    releaseId: id(2),
    state: DeploymentState.STAGING,
    at,
  },
  siteCacheAnnounced: {
    cacheId: 'berlin-3',
    siteId: 'berlin-3',
    url: 'http://cache.berlin-3.example:8089',
    capacityBytes: 500n << 30n,
    usedBytes: 120n << 30n,
    chunkCount: 7_500_000n,
    hitRatio: 0.97,
    bytesServed: 2n << 40n,
    originBytes: 130n << 30n,
    at,
    seq: 1_764_500_000_000n,
  },
  siteCachePrefetchRequested: { releaseId: id(2), siteId: 'berlin-3', requestedAt: at },
};

function roundTrip<S extends DescMessage>(schema: S, init: MessageInitShape<S>): void {
  const message = build(schema, init);
  expect(decode(schema, encode(schema, message))).toEqual(message);
}

function rejection(fn: () => unknown): InvalidMessageError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidMessageError);
    return err as InvalidMessageError;
  }
  throw new Error('expected an InvalidMessageError');
}

describe('codec', () => {
  it('has an example for every contract', () => {
    expect(Object.keys(examples).sort()).toEqual(Object.keys(contracts).sort());
    expect(allContracts).toHaveLength(Object.keys(examples).length);
  });

  it.each(Object.keys(examples) as (keyof typeof contracts)[])('round-trips %s', (key) => {
    const contract = contracts[key];
    roundTrip(contract.schema as DescMessage, examples[key] as MessageInitShape<DescMessage>);
  });

  it('round-trips a query response and enforces found ⇔ machine', () => {
    roundTrip(GetMachineResponseSchema, { found: false });
    const err = rejection(() => build(GetMachineResponseSchema, { found: true }));
    expect(err.reason).toContain('machine must be set exactly when found is true');
  });

  it('rejects bytes that do not decode', () => {
    const err = rejection(() => decode(MachineDiscoveredSchema, new Uint8Array([0xff, 0xff, 0xff, 0xff])));
    expect(err.reason).toMatch(/^does not decode/);
    expect(err.schemaName).toBe('muster.inventory.v1.MachineDiscovered');
  });

  it('rejects a MAC that is not normalized, naming the field', () => {
    const bad = create(MachineDiscoveredSchema, {
      ...discovered,
      identity: { ...identity, macs: ['52:54:00:12:34:56', '52-54-00-AB-CD-EF'] },
    });
    const err = rejection(() => encode(MachineDiscoveredSchema, bad));
    expect(err.reason).toContain('identity.macs[1]');
    expect(err.violations).toHaveLength(1);
  });

  it('rejects decoded bytes that break a rule', () => {
    const bytes = toBinary(
      MachineDiscoveredSchema,
      create(MachineDiscoveredSchema, { ...discovered, ipAddress: '10.20.0.300' }),
    );
    expect(rejection(() => decode(MachineDiscoveredSchema, bytes)).reason).toContain('ip_address');
  });

  it('rejects a command without its oneof, naming it', () => {
    const err = rejection(() => build(AgentCommandSchema, { ...command, command: { case: undefined } }));
    expect(err.reason).toContain('command: exactly one field is required in oneof');
    expect(err.violations).toHaveLength(1);
  });

  it('rejects a command that expires before it is issued', () => {
    const err = rejection(() => build(AgentCommandSchema, { ...command, expiresAt: at }));
    expect(err.reason).toContain('expires_at must be after issued_at');
  });

  it('rejects an unspecified state where one is required', () => {
    const err = rejection(() =>
      build(contracts.machineUpdated.schema, { ...examples.machineUpdated, state: MachineState.UNSPECIFIED }),
    );
    expect(err.reason).toContain('state');
  });
});
