import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { HardwareIdentity } from './hardware-identity.js';
import type { KnownMachine } from './identity-matcher.js';
import { MachineIdentityEntity } from './machine-identity.entity.js';

/** Reads and writes discovery's own tables, always inside a transaction it hands out. */
@Injectable()
export class MachineIdentityRepository {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.ds.transaction(work);
  }

  /**
   * Serialises identity decisions: two reports of the same new machine arriving at once
   * must not both create it. Discovery reports are rare enough for one global lock.
   */
  async lockIdentities(manager: EntityManager): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('discovery.machine_identity'))`);
  }

  async findRelated(manager: EntityManager, identity: HardwareIdentity): Promise<KnownMachine[]> {
    const rows = await manager
      .getRepository(MachineIdentityEntity)
      .createQueryBuilder('m')
      .where('m.smbios_uuid = :uuid', { uuid: identity.smbiosUuid ?? null })
      .orWhere('m.serial = :serial', { serial: identity.serial ?? null })
      .orWhere('m.macs && :macs::text[]', { macs: identity.macs })
      .getMany();
    return rows.map((r) => ({
      machineId: r.machineId,
      smbiosUuid: r.smbiosUuid ?? undefined,
      serial: r.serial ?? undefined,
      macs: r.macs,
    }));
  }

  async insert(
    manager: EntityManager,
    machineId: string,
    identity: HardwareIdentity,
    siteId: string,
    at: Date,
  ): Promise<void> {
    await manager.getRepository(MachineIdentityEntity).insert({
      machineId,
      smbiosUuid: identity.smbiosUuid ?? null,
      serial: identity.serial ?? null,
      macs: identity.macs,
      siteId,
      firstSeen: at,
      lastSeen: at,
      reportCount: 1,
    });
  }

  /** A known machine reported again: widen its MAC set (a NIC was added) and count the report. */
  async touch(
    manager: EntityManager,
    machineId: string,
    identity: HardwareIdentity,
    at: Date,
  ): Promise<void> {
    await manager.query(
      `UPDATE machine_identity
          SET last_seen = $2,
              report_count = report_count + 1,
              macs = ARRAY(SELECT DISTINCT unnest(macs || $3::text[]) ORDER BY 1),
              smbios_uuid = COALESCE(smbios_uuid, $4),
              serial = COALESCE(serial, $5)
        WHERE machine_id = $1`,
      [machineId, at, identity.macs, identity.smbiosUuid ?? null, identity.serial ?? null],
    );
  }

  async recordReport(
    manager: EntityManager,
    machineId: string | null,
    outcome: string,
    report: unknown,
  ): Promise<void> {
    await manager.query(`INSERT INTO discovery_report (machine_id, outcome, report) VALUES ($1, $2, $3)`, [
      machineId,
      outcome,
      JSON.stringify(report),
    ]);
  }
}
