import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One known machine as discovery sees it: the keys it is recognised by. */
@Entity({ name: 'machine_identity' })
export class MachineIdentityEntity {
  @PrimaryColumn({ type: 'uuid', name: 'machine_id' })
  machineId!: string;

  @Column({ type: 'text', name: 'smbios_uuid', nullable: true })
  smbiosUuid!: string | null;

  @Column({ type: 'text', nullable: true })
  serial!: string | null;

  @Column({ type: 'text', array: true })
  macs!: string[];

  @Column({ type: 'text', name: 'site_id' })
  siteId!: string;

  @Column({ type: 'timestamptz', name: 'first_seen' })
  firstSeen!: Date;

  @Column({ type: 'timestamptz', name: 'last_seen' })
  lastSeen!: Date;

  @Column({ type: 'integer', name: 'report_count' })
  reportCount!: number;

  /** 1 when first discovered, +1 on every change of its identity (MachineDiscovered.revision). */
  @Column({ type: 'bigint' })
  revision!: string;
}
