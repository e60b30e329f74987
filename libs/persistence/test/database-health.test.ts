import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';
import type { DataSource, QueryRunner } from 'typeorm';
import { ReadinessRegistry } from '@muster/observability';
import { DatabaseHealth } from '../src/index.js';
import { openTestDatabase, testSchema } from './persistence-fixture.js';

let ds: DataSource;
let health: DatabaseHealth;
const held: QueryRunner[] = [];

beforeAll(async () => {
  ds = await openTestDatabase(inject('servers').postgres.url, testSchema());
  health = new DatabaseHealth({ url: inject('servers').postgres.url, applicationName: 'persistence-test' });
});

afterAll(async () => {
  for (const runner of held) await runner.release();
  await health?.onApplicationShutdown();
  await ds?.destroy();
});

describe('DatabaseHealth', () => {
  it('answers readiness while every pooled connection is busy (a burst of requests)', async () => {
    const readiness = new ReadinessRegistry();
    readiness.register('postgres', () => health.ping());
    // Take every connection of the pool, as a burst of requests does, and queue one more query.
    const poolSize = ds.options.poolSize!;
    for (let i = 0; i < poolSize; i++) {
      const runner = ds.createQueryRunner();
      await runner.connect();
      held.push(runner);
    }
    const queued = ds.query('SELECT 1');
    const pool = (ds.driver as PostgresDriver).master as { waitingCount: number; totalCount: number };
    expect(pool.totalCount).toBe(poolSize);
    expect(pool.waitingCount).toBe(1);

    const report = await readiness.evaluate();
    expect(report.ready).toBe(true);
    expect(report.checks).toMatchObject([{ name: 'postgres', ok: true }]);
    expect(pool.waitingCount).toBe(1);

    await held.pop()!.release();
    await expect(queued).resolves.toEqual([{ '?column?': 1 }]);
  });

  it('reconnects after its connection is killed', async () => {
    await health.ping();
    await ds.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'persistence-test/readiness'",
    );
    // The probe that finds the connection dead fails; the next opens a new one.
    await health.ping().catch(() => undefined);
    await expect(health.ping()).resolves.toBeUndefined();
  });
});
