import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

export interface BootMachine {
  machineId: string;
  siteId: string;
  state: string;
  revision: string;
}

@Injectable()
export class BootMachinesRepository {
  constructor(@Inject(DataSource) readonly ds: DataSource) {}

  /**
   * A discovered machine's MACs, from discovery's identity record at `discoveryRevision`: a
   * newer record replaces them (a NIC swapped out no longer boots this machine), an older or
   * replayed one changes nothing. Revision 0 (a producer older than the field) only adds MACs.
   * Its state comes from machine.updated.
   */
  async recordDiscovered(
    manager: EntityManager,
    machineId: string,
    siteId: string,
    macs: readonly string[],
    discoveryRevision: string,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO boot_machine (machine_id, site_id, macs, state, revision, discovery_revision)
       VALUES ($1, $2, $3, 'DISCOVERED', 0, $4)
       ON CONFLICT (machine_id) DO UPDATE
         SET macs = CASE WHEN EXCLUDED.discovery_revision = 0
                      THEN ARRAY(SELECT DISTINCT unnest(boot_machine.macs || EXCLUDED.macs) ORDER BY 1)
                      ELSE EXCLUDED.macs END,
             discovery_revision = GREATEST(boot_machine.discovery_revision, EXCLUDED.discovery_revision)
         WHERE EXCLUDED.discovery_revision = 0 OR boot_machine.discovery_revision < EXCLUDED.discovery_revision`,
      [machineId, siteId, [...macs].sort(), discoveryRevision],
    );
  }

  /** Applies a state change unless a newer revision is already recorded (events may arrive late). */
  async recordState(manager: EntityManager, m: BootMachine): Promise<void> {
    await manager.query(
      `INSERT INTO boot_machine (machine_id, site_id, state, revision)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (machine_id) DO UPDATE
         SET site_id = EXCLUDED.site_id, state = EXCLUDED.state, revision = EXCLUDED.revision, updated_at = now()
         WHERE boot_machine.revision < EXCLUDED.revision`,
      [m.machineId, m.siteId, m.state, m.revision],
    );
  }

  async findByMac(mac: string): Promise<BootMachine | undefined> {
    const rows = await this.ds.query<
      { machine_id: string; site_id: string; state: string; revision: string }[]
    >(
      'SELECT machine_id, site_id, state, revision FROM boot_machine WHERE macs @> ARRAY[$1]::text[] LIMIT 1',
      [mac],
    );
    const row = rows[0];
    return (
      row && { machineId: row.machine_id, siteId: row.site_id, state: row.state, revision: row.revision }
    );
  }
}
