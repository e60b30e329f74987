import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The system of record for one machine. Every change bumps `revision` and adds history. */
@Entity({ name: 'machine' })
export class MachineEntity {
  @PrimaryColumn({ type: 'uuid', name: 'machine_id' })
  machineId!: string;

  @Column({ type: 'text', name: 'site_id' })
  siteId!: string;

  @Column({ type: 'text', name: 'group_id', nullable: true })
  groupId!: string | null;

  @Column({ type: 'text', name: 'profile_id', nullable: true })
  profileId!: string | null;

  @Column({ type: 'jsonb' })
  labels!: Record<string, string>;

  @Column({ type: 'text' })
  state!: string;

  @Column({ type: 'text', name: 'smbios_uuid', nullable: true })
  smbiosUuid!: string | null;

  @Column({ type: 'text', nullable: true })
  serial!: string | null;

  @Column({ type: 'text', array: true })
  macs!: string[];

  /** `muster.hardware.v1.HardwareFacts` in its protobuf JSON form. */
  @Column({ type: 'jsonb' })
  hardware!: Record<string, unknown>;

  @Column({ type: 'text', nullable: true })
  hostname!: string | null;

  @Column({ type: 'bigint' })
  revision!: string;

  /** Revision of discovery's identity record last applied (MachineDiscovered.revision). */
  @Column({ type: 'bigint', name: 'discovery_revision' })
  discoveryRevision!: string;

  @Column({ type: 'timestamptz', name: 'discovered_at' })
  discoveredAt!: Date;

  @Column({ type: 'timestamptz', name: 'updated_at' })
  updatedAt!: Date;

  @Column({ type: 'text', name: 'agent_id', nullable: true })
  agentId!: string | null;

  @Column({ type: 'uuid', name: 'desired_release_id', nullable: true })
  desiredReleaseId!: string | null;

  /** Observed: the release the agent's heartbeats last reported. */
  @Column({ type: 'uuid', name: 'current_release_id', nullable: true })
  currentReleaseId!: string | null;

  @Column({ type: 'timestamptz', name: 'last_seen', nullable: true })
  lastSeen!: Date | null;

  /** An operator assigned the machine: assignment rules leave it alone. */
  @Column({ type: 'boolean' })
  pinned!: boolean;

  /** Where discovery last saw the machine report from (assignment rules match on it). */
  @Column({ type: 'inet', name: 'ip_address', nullable: true })
  ipAddress!: string | null;

  /** The running system from the agent's facts (`muster.agent.v1.OperatingSystem` JSON). */
  @Column({ type: 'jsonb', nullable: true })
  os!: Record<string, unknown> | null;

  /** `seq` of the last agent facts applied: older or replayed facts change nothing. */
  @Column({ type: 'bigint', name: 'agent_facts_seq' })
  agentFactsSeq!: string;

  /** `seq` of the last heartbeat whose release was applied. */
  @Column({ type: 'bigint', name: 'agent_beat_seq' })
  agentBeatSeq!: string;

  /** The last deployment status its agent reported (`muster.agent.v1.AgentStatus` JSON). */
  @Column({ type: 'jsonb', name: 'last_status', nullable: true })
  lastStatus!: Record<string, unknown> | null;

  /** `seq` of that status: older or replayed statuses change nothing. */
  @Column({ type: 'bigint', name: 'agent_status_seq' })
  agentStatusSeq!: string;
}
