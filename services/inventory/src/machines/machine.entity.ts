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
}
