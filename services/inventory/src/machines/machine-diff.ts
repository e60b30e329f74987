import type { MachineEntity } from './machine.entity.js';

/** The record fields a change can touch, by their Machine proto field name. */
const TRACKED = {
  site_id: (m: MachineEntity) => m.siteId,
  group_id: (m: MachineEntity) => m.groupId,
  profile_id: (m: MachineEntity) => m.profileId,
  labels: (m: MachineEntity) => sortedObject(m.labels),
  state: (m: MachineEntity) => m.state,
  hostname: (m: MachineEntity) => m.hostname,
  pinned: (m: MachineEntity) => m.pinned,
  agent_id: (m: MachineEntity) => m.agentId,
  desired_release_id: (m: MachineEntity) => m.desiredReleaseId,
  current_release_id: (m: MachineEntity) => m.currentReleaseId,
  identity: (m: MachineEntity) => ({ smbiosUuid: m.smbiosUuid, serial: m.serial, macs: m.macs }),
  hardware: (m: MachineEntity) => m.hardware,
} as const;

export type MachineField = keyof typeof TRACKED;

/** Each changed field with its value before and after (hardware: only that it changed). */
export type MachineChanges = Partial<Record<MachineField, { from: unknown; to: unknown }>>;

export function machineDiff(before: MachineEntity, after: MachineEntity): MachineChanges {
  const changes: MachineChanges = {};
  for (const [field, read] of Object.entries(TRACKED) as [MachineField, (m: MachineEntity) => unknown][]) {
    const from = read(before);
    const to = read(after);
    if (stableJson(from) === stableJson(to)) continue;
    // Hardware facts are large; history says they changed, the record holds the new ones.
    changes[field] = field === 'hardware' ? { from: '…', to: '…' } : { from, to };
  }
  return changes;
}

function sortedObject(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}
