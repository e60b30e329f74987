import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { HardwareIdentity } from './hardware-identity.js';
import type { KnownMachine } from './identity-matcher.js';
import { MachineIdentityEntity } from './machine-identity.entity.js';

export interface RecordedMachine extends KnownMachine {
  siteId: string;
  revision: bigint;
}

/** Reads and writes discovery's own tables, always inside a transaction it hands out. */
@Injectable()
export class MachineIdentityRepository {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.ds.transaction(work);
  }

  /**
   * One round trip at the start of a report's transaction: takes the advisory lock of every
   * identity key the report holds, in ascending order (`lockIds` sorts them; sorting again
   * here keeps the order whatever the caller passed), so two reports of one machine are
   * decided one after the other while reports of different machines run in parallel; and
   * finds the site whose network holds `address` (the longest prefix wins). Raw SQL: advisory
   * locks and `inet <<= cidr` are beyond the query builder.
   *
   * The lock must come before the reads that decide: under READ COMMITTED each later
   * statement sees what the previous holder of a key committed.
   */
  async lockKeysAndLocateSite(
    manager: EntityManager,
    lockIds: readonly string[],
    address: string | undefined,
  ): Promise<string | undefined> {
    const [row] = await manager.query<{ locked: string; site_id: string | null }[]>(
      `SELECT (SELECT count(*) FROM (
                 SELECT pg_advisory_xact_lock(k) FROM (SELECT unnest($1::bigint[]) AS k ORDER BY 1) sorted
               ) taken) AS locked,
              (SELECT site_id FROM site_networks WHERE $2::inet <<= cidr
                ORDER BY masklen(cidr) DESC LIMIT 1) AS site_id`,
      [lockIds, address ?? null],
    );
    return row?.site_id ?? undefined;
  }

  /**
   * Every machine sharing a key with the identity, locked (in id order) so that a concurrent
   * report reaching the same machine through other keys waits and then reads what this one
   * wrote.
   */
  async findRelatedForUpdate(manager: EntityManager, identity: HardwareIdentity): Promise<RecordedMachine[]> {
    const rows = await manager
      .getRepository(MachineIdentityEntity)
      .createQueryBuilder('m')
      .where('m.smbios_uuid = :uuid', { uuid: identity.smbiosUuid ?? null })
      .orWhere('m.serial = :serial', { serial: identity.serial ?? null })
      .orWhere('m.macs && :macs::text[]', { macs: identity.macs })
      .orderBy('m.machine_id')
      .setLock('pessimistic_write')
      .getMany();
    return rows.map((r) => ({
      machineId: r.machineId,
      smbiosUuid: r.smbiosUuid ?? undefined,
      serial: r.serial ?? undefined,
      macs: r.macs,
      siteId: r.siteId,
      revision: BigInt(r.revision),
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
      revision: '1',
    });
  }

  /** A known machine whose identity grew: store it and bump its revision. */
  async changeIdentity(
    manager: EntityManager,
    machineId: string,
    identity: HardwareIdentity,
    at: Date,
  ): Promise<bigint> {
    const [rows] = await manager.query<[{ revision: string }[], number]>(
      `UPDATE machine_identity
          SET smbios_uuid = $2, serial = $3, macs = $4::text[], last_seen = $5,
              report_count = report_count + 1, revision = revision + 1
        WHERE machine_id = $1
        RETURNING revision`,
      [machineId, identity.smbiosUuid ?? null, identity.serial ?? null, identity.macs, at],
    );
    return BigInt(rows[0]!.revision);
  }

  /** A known machine reported again with nothing new: count the report. */
  async touch(manager: EntityManager, machineId: string, at: Date): Promise<void> {
    await manager
      .getRepository(MachineIdentityEntity)
      .createQueryBuilder()
      .update()
      .set({ lastSeen: at, reportCount: () => 'report_count + 1' })
      .where('machine_id = :machineId', { machineId })
      .execute();
  }

  async recordReport(
    manager: EntityManager,
    entry: {
      machineId: string | undefined;
      outcome: string;
      report: unknown;
      siteId: string;
      claimedSiteId: string | undefined;
    },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO discovery_report (machine_id, outcome, report, site_id, claimed_site_id)
       VALUES ($1, $2, $3, $4, $5)`,
      [
        entry.machineId ?? null,
        entry.outcome,
        JSON.stringify(entry.report),
        entry.siteId,
        entry.claimedSiteId ?? null,
      ],
    );
  }
}
