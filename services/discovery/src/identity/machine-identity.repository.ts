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
   * wrote. When there is none — the common case in a boot storm — the same statement records
   * the new machine and its report, saving round trips (raw SQL: data-modifying CTEs).
   */
  async findRelatedOrInsert(
    manager: EntityManager,
    identity: HardwareIdentity,
    fresh: { machineId: string; siteId: string; at: Date; report: ReportRow },
  ): Promise<{ related: RecordedMachine[]; created: boolean }> {
    const rows = await manager.query<(RelatedRow & { created: boolean })[]>(
      `WITH related AS (
         SELECT machine_id, smbios_uuid, serial, macs, site_id, revision FROM machine_identity
          WHERE smbios_uuid = $1 OR serial = $2 OR macs && $3::text[]
          ORDER BY machine_id FOR UPDATE
       ), created AS (
         INSERT INTO machine_identity
                (machine_id, smbios_uuid, serial, macs, site_id, first_seen, last_seen, report_count, revision)
         SELECT $4, $1, $2, $3::text[], $5, $6, $6, 1, 1 WHERE NOT EXISTS (SELECT 1 FROM related)
         RETURNING machine_id
       ), reported AS (
         INSERT INTO discovery_report (machine_id, outcome, report, site_id, claimed_site_id)
         SELECT machine_id, $7, $8, $9, $10 FROM created
       )
       SELECT r.*, false AS created FROM related r
       UNION ALL SELECT NULL, NULL, NULL, NULL, NULL, NULL, true FROM created`,
      [
        identity.smbiosUuid ?? null,
        identity.serial ?? null,
        identity.macs,
        fresh.machineId,
        fresh.siteId,
        fresh.at,
        ...reportParams(fresh.report),
      ],
    );
    if (rows.some((r) => r.created)) return { related: [], created: true };
    return { related: rows.map(toRecorded), created: false };
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

  /** A known machine whose identity grew: store it with its report and bump its revision. */
  async changeIdentity(
    manager: EntityManager,
    machineId: string,
    identity: HardwareIdentity,
    at: Date,
    report: ReportRow,
  ): Promise<bigint> {
    const [row] = await manager.query<{ revision: string }[]>(
      `WITH changed AS (
         UPDATE machine_identity
            SET smbios_uuid = $2, serial = $3, macs = $4::text[], last_seen = $5,
                report_count = report_count + 1, revision = revision + 1
          WHERE machine_id = $1
          RETURNING revision
       ), reported AS (
         INSERT INTO discovery_report (machine_id, outcome, report, site_id, claimed_site_id)
         VALUES ($1, $6, $7, $8, $9)
       )
       SELECT revision FROM changed`,
      [
        machineId,
        identity.smbiosUuid ?? null,
        identity.serial ?? null,
        identity.macs,
        at,
        ...reportParams(report),
      ],
    );
    return BigInt(row!.revision);
  }

  /** A known machine reported again with nothing new: count the report and keep it. */
  async touch(manager: EntityManager, machineId: string, at: Date, report: ReportRow): Promise<void> {
    await manager.query(
      `WITH touched AS (
         UPDATE machine_identity SET last_seen = $2, report_count = report_count + 1 WHERE machine_id = $1
       )
       INSERT INTO discovery_report (machine_id, outcome, report, site_id, claimed_site_id)
       VALUES ($1, $3, $4, $5, $6)`,
      [machineId, at, ...reportParams(report)],
    );
  }

  async recordReport(
    manager: EntityManager,
    machineId: string | undefined,
    report: ReportRow,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO discovery_report (machine_id, outcome, report, site_id, claimed_site_id)
       VALUES ($1, $2, $3, $4, $5)`,
      [machineId ?? null, ...reportParams(report)],
    );
  }
}

/** A row of discovery_report: what was reported, what came of it, the site decided and claimed. */
export interface ReportRow {
  outcome: string;
  report: unknown;
  siteId: string;
  claimedSiteId: string | undefined;
}

function reportParams(r: ReportRow): unknown[] {
  return [r.outcome, JSON.stringify(r.report), r.siteId, r.claimedSiteId ?? null];
}

interface RelatedRow {
  machine_id: string;
  smbios_uuid: string | null;
  serial: string | null;
  macs: string[];
  site_id: string;
  revision: string;
}

function toRecorded(r: RelatedRow): RecordedMachine {
  return {
    machineId: r.machine_id,
    smbiosUuid: r.smbios_uuid ?? undefined,
    serial: r.serial ?? undefined,
    macs: r.macs,
    siteId: r.site_id,
    revision: BigInt(r.revision),
  };
}
