import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { startServiceInProcess, type RunningService } from '@muster/runtime/testing';
import { uniqueName } from '@muster/testing';
import { ReportRetentionJob } from '../src/reports/report-retention.job.js';
import { ReportRetentionRepository } from '../src/reports/report-retention.repository.js';
import { discoveryService } from '../src/service.entry.js';

const schema = uniqueName('disc');
let discovery: RunningService;
let db: pg.Client;

beforeAll(async () => {
  const servers = inject('servers');
  discovery = await startServiceInProcess(discoveryService, {
    MUSTER_NATS_URL: servers.nats.url,
    MUSTER_DATABASE_URL: servers.postgres.url,
    MUSTER_DATABASE_SCHEMA: schema,
    MUSTER_DISCOVERY_REPORT_RETENTION_HOURS: '48',
  });
  db = new pg.Client({ connectionString: servers.postgres.url });
  await db.connect();
});

afterAll(async () => {
  await db?.end();
  await discovery?.close();
});

const report = (serial: string, mac: string) =>
  fetch(`${discovery.url}/v1/discovery/reports`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ macs: [mac], serial, siteId: 'branch-007' }),
  });

const serialsLeft = async () =>
  (
    await db.query<{ serial: string }>(
      `SELECT report->>'serial' AS serial FROM ${schema}.discovery_report ORDER BY id`,
    )
  ).rows.map((r) => r.serial);

describe('discovery report retention', () => {
  it('deletes reports older than MUSTER_DISCOVERY_REPORT_RETENTION_HOURS and keeps the rest', async () => {
    for (const [serial, mac] of [
      ['OLD-1', '52:54:00:00:07:01'],
      ['EDGE-1', '52:54:00:00:07:02'],
      ['NEW-1', '52:54:00:00:07:03'],
    ] as const) {
      expect((await report(serial, mac)).status).toBe(201);
    }
    await db.query(
      `UPDATE ${schema}.discovery_report SET received_at = now() - interval '49 hours' WHERE report->>'serial' = 'OLD-1'`,
    );
    await db.query(
      `UPDATE ${schema}.discovery_report SET received_at = now() - interval '47 hours' WHERE report->>'serial' = 'EDGE-1'`,
    );

    const job = discovery.app.get(ReportRetentionJob);
    expect(await job.purgeOnce()).toBe(1);
    expect(await serialsLeft()).toEqual(['EDGE-1', 'NEW-1']);
    // Two instances purging at once (two connections, two concurrent DELETEs) delete each row once.
    const reports = discovery.app.get(ReportRetentionRepository);
    const cutoff = new Date(Date.now() - 46 * 3600_000);
    const [a, b] = await Promise.all([
      reports.purgeReceivedBefore(cutoff),
      reports.purgeReceivedBefore(cutoff),
    ]);
    expect(a + b).toBe(1);
    expect(await serialsLeft()).toEqual(['NEW-1']);
  });
});
