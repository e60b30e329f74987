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
   * One round trip at the start of a batch's transaction: takes the advisory lock of every
   * identity key its reports hold, in ascending order (sorted here whatever the caller
   * passed), so reports of one machine are decided one after the other while reports of
   * different machines run in parallel, and two transactions waiting for each other's keys
   * cannot deadlock; and finds, for each address, the site whose network holds it (the
   * longest prefix wins). Raw SQL: advisory locks and `inet <<= cidr` are beyond the query
   * builder.
   *
   * The locks must come before the reads that decide: under READ COMMITTED each later
   * statement sees what the previous holder of a key committed.
   */
  async lockKeysAndLocateSites(
    manager: EntityManager,
    lockIds: readonly string[],
    addresses: readonly (string | undefined)[],
  ): Promise<(string | undefined)[]> {
    const [row] = await manager.query<{ sites: (string | null)[] }[]>(
      `SELECT (SELECT count(*) FROM (
                 SELECT pg_advisory_xact_lock(k) FROM (SELECT unnest($1::bigint[]) AS k ORDER BY 1) sorted
               ) taken) AS locked,
              ARRAY(SELECT (SELECT site_id FROM site_networks WHERE a.address <<= cidr
                             ORDER BY masklen(cidr) DESC LIMIT 1)
                      FROM unnest($2::inet[]) WITH ORDINALITY AS a(address, n) ORDER BY n) AS sites`,
      [lockIds, addresses.map((a) => a ?? null)],
    );
    return (row?.sites ?? []).map((s) => s ?? undefined);
  }

  /**
   * Every machine sharing a key with any of the identities, locked in id order, so that a
   * concurrent report reaching the same machine through other keys waits and then reads what
   * this one wrote. Raw SQL: one statement for the whole batch.
   */
  async findRelatedForUpdate(
    manager: EntityManager,
    identities: readonly HardwareIdentity[],
  ): Promise<RecordedMachine[]> {
    const rows = await manager.query<RelatedRow[]>(
      `SELECT machine_id, smbios_uuid, serial, macs, site_id, revision FROM machine_identity
        WHERE smbios_uuid = ANY($1::text[]) OR serial = ANY($2::text[]) OR macs && $3::text[]
        ORDER BY machine_id FOR UPDATE`,
      [
        identities.flatMap((i) => (i.smbiosUuid ? [i.smbiosUuid] : [])),
        identities.flatMap((i) => (i.serial ? [i.serial] : [])),
        identities.flatMap((i) => i.macs),
      ],
    );
    return rows.map(toRecorded);
  }

  /** New machines and their reports, in one statement (raw SQL: a bulk insert). */
  async insertMany(
    manager: EntityManager,
    rows: readonly { machineId: string; identity: HardwareIdentity; report: ReportRow }[],
    at: Date,
  ): Promise<void> {
    if (rows.length === 0) return;
    await manager.query(
      `WITH created AS (
         INSERT INTO machine_identity
                (machine_id, smbios_uuid, serial, macs, site_id, first_seen, last_seen, report_count, revision)
         SELECT m, u, s, string_to_array(macs, ' '), site, $6, $6, 1, 1
           FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[]) AS x(m, u, s, macs, site)
       )
       INSERT INTO discovery_report (machine_id, outcome, report, site_id, claimed_site_id)
       SELECT * FROM unnest($1::uuid[], $7::text[], $8::jsonb[], $5::text[], $9::text[])`,
      [
        rows.map((r) => r.machineId),
        rows.map((r) => r.identity.smbiosUuid ?? null),
        rows.map((r) => r.identity.serial ?? null),
        rows.map((r) => r.identity.macs.join(' ')),
        rows.map((r) => r.report.siteId),
        at,
        rows.map((r) => r.report.outcome),
        rows.map((r) => JSON.stringify(r.report.report)),
        rows.map((r) => r.report.claimedSiteId ?? null),
      ],
    );
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
