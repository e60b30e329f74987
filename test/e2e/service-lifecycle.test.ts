import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { streams } from '@muster/contracts';
import { BusConnection, ensureStreams } from '@muster/messaging';
import { until } from '@muster/messaging/testing';
import { getFreePort, startNats, startPostgres, type NatsServerHandle } from '@muster/testing';
import { startServiceProcess, type ServiceProcess } from '../../tools/stack/service-process.js';

let dir: string;
let nats: NatsServerHandle;
let service: ServiceProcess;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'muster-lifecycle-'));
  nats = await startNats({ dataDir: join(dir, 'nats') });
  service = startServiceProcess(
    'inventory',
    await getFreePort(),
    {
      MUSTER_NATS_URL: nats.url,
      MUSTER_NATS_NKEY_SEED: nats.credentials.services.inventory.seed,
      MUSTER_DATABASE_URL: inject('servers').postgres.url,
      MUSTER_DATABASE_SCHEMA: `life_${randomUUID().replace(/-/g, '').slice(0, 10)}`,
    },
    dir,
  );
  await service.waitReady();
});

afterAll(async () => {
  await service?.stop('SIGKILL');
  await nats?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const readyz = async (): Promise<{ status: number; body: string }> => {
  const res = await fetch(`${service.url}/readyz`);
  return { status: res.status, body: await res.text() };
};

describe('a running service', () => {
  it('serves liveness and metrics, and is ready only while its dependencies answer', async () => {
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toMatch(/^process_cpu_user_seconds_total\{service="inventory"\} /m);
    expect((await readyz()).status).toBe(200);

    await nats.stop();
    await until(async () => (await readyz()).status === 503, 15_000, 'not ready without NATS');
    expect((await readyz()).body).toContain('nats');
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200);

    nats = await startNats({
      dataDir: join(dir, 'nats'),
      port: nats.port,
      monitorPort: nats.monitorPort,
      credentials: nats.credentials,
    });
    await until(async () => (await readyz()).status === 200, 30_000, 'ready again once NATS is back');
  });

  it('shuts down on SIGTERM within the grace period, logging no error', async () => {
    const before = (await service.log()).length;
    const started = Date.now();
    const exit = await service.stop('SIGTERM', 20_000);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(exit.code === 0 || exit.signal === 'SIGTERM').toBe(true);
    const shutdownLog = (await service.log()).slice(before);
    const errors = shutdownLog.split('\n').filter((line) => /"level":(50|60)/.test(line));
    expect(errors).toEqual([]);
  });
});

describe('a service started before its database', () => {
  it('waits for PostgreSQL to accept connections, then becomes ready', async () => {
    const port = await getFreePort();
    // The scheduler only reads AGENT_TELEMETRY and waits for its producer (agent-gateway) to
    // create it: the administrator plays that producer here.
    const admin = await BusConnection.connect({ servers: [nats.url], name: 'admin' });
    await ensureStreams(
      admin.jsm,
      streams.filter((s) => s.name === 'AGENT_TELEMETRY'),
    );
    await admin.close();
    const early = startServiceProcess(
      'scheduler',
      await getFreePort(),
      {
        MUSTER_NATS_URL: nats.url,
        MUSTER_NATS_NKEY_SEED: nats.credentials.services.scheduler.seed,
        MUSTER_DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/postgres`,
      },
      dir,
    );
    try {
      await until(
        async () => (await early.log()).includes('waiting for PostgreSQL'),
        30_000,
        'the wait to be logged',
      );
      expect(early.child.exitCode).toBeNull();
      const postgres = await startPostgres({ dataDir: join(dir, 'late-postgres'), port });
      try {
        await early.waitReady(60_000);
        expect((await fetch(`${early.url}/v1/rollouts`)).status).toBe(200);
      } finally {
        await early.stop();
        await postgres.stop();
      }
    } finally {
      await early.stop('SIGKILL');
    }
  });
});
