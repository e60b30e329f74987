import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Reports whose identity keys disagree with a known machine's, kept for an operator. One row
 * per machine and the set of machines it disagrees with (or per held identity), counted on
 * every further report, so a machine that keeps booting adds no rows.
 */
@Entity({ name: 'identity_conflict' })
export class IdentityConflictEntity {
  @PrimaryColumn({ type: 'bigint' })
  id!: string;

  @Column({ type: 'text', name: 'conflict_key' })
  conflictKey!: string;

  /** `new-machine`, `known-machine` or `held`. */
  @Column({ type: 'text' })
  outcome!: string;

  /** The machine the report was given; null when held. */
  @Column({ type: 'uuid', name: 'machine_id', nullable: true })
  machineId!: string | null;

  @Column({ type: 'uuid', name: 'other_machine_ids', array: true })
  otherMachineIds!: string[];

  /** Keys shared with the other machines, as `kind:value`. */
  @Column({ type: 'text', array: true })
  keys!: string[];

  @Column({ type: 'text' })
  reason!: string;

  @Column({ type: 'jsonb' })
  report!: Record<string, unknown>;

  @Column({ type: 'timestamptz', name: 'first_seen' })
  firstSeen!: Date;

  @Column({ type: 'timestamptz', name: 'last_seen' })
  lastSeen!: Date;

  @Column({ type: 'integer', name: 'report_count' })
  reportCount!: number;
}
