import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { streams } from '@muster/contracts';
import { BusConnection, ensureStreams } from '@muster/messaging';
import { until } from '@muster/messaging/testing';
import { operatorFetch, testOperatorToken } from '@muster/runtime/testing';
import { getFreePort, startNats, startPostgres, type NatsServerHandle } from '@muster/testing';
import { startServiceProcess, type ServiceProcess } from '../../tools/stack/service-process.js';

let dir: string;
let nats: NatsServerHandle;
let service: ServiceProcess;
let token: string;
const schema = `life_${randomUUID().replace(/-/g, '').slice(0, 10)}`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'muster-lifecycle-'));
  nats = await startNats({ dataDir: join(dir, 'nats') });
  token = await testOperatorToken(nats.url);
  service = startServiceProcess(
    'inventory',
    await getFreePort(),
    {
      MUSTER_NATS_URL: nats.url,
      MUSTER_NATS_NKEY_SEED: nats.credentials.services.inventory.seed,
      MUSTER_DATABASE_URL: inject('servers').postgres.url,
      MUSTER_DATABASE_SCHEMA: schema,
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
  it('serves liveness and metrics, and stays ready and answering while NATS is down', async () => {
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toMatch(/^process_cpu_user_seconds_total\{service="inventory"\} /m);
    expect((await readyz()).status).toBe(200);
    expect(JSON.parse((await readyz()).body)).toMatchObject({ checks: [{ name: 'postgres', ok: true }] });

    // Inventory serves its API from its own tables: a bus outage must not take it out of rotation,
    // and the operator tokens it has seen are checked from memory.
    expect((await operatorFetch({ url: service.url, token }, '/v1/machines')).status).toBe(200);
    await nats.stop();
    await until(async () => (await service.log()).includes('"nats":"disconnect"'), 15_000, 'the disconnect');
    expect((await readyz()).status).toBe(200);
    expect((await operatorFetch({ url: service.url, token }, '/v1/machines')).status).toBe(200);

    nats = await startNats({
      dataDir: join(dir, 'nats'),
      port: nats.port,
      monitorPort: nats.monitorPort,
      credentials: nats.credentials,
    });
    await until(async () => (await service.log()).includes('"nats":"reconnect"'), 30_000, 'the reconnect');
  });

  it('drains on SIGTERM: a request in flight is answered before the process exits, logging no error', async () => {
    const url = inject('servers').postgres.url;
    const holder = new pg.Client({ connectionString: url });
    const observer = new pg.Client({ connectionString: url });
    await holder.connect();
    await observer.connect();
    try {
      // Hold the machine table, so that a list request waits inside the service.
      await holder.query('BEGIN');
      await holder.query(`LOCK TABLE ${schema}.machine IN ACCESS EXCLUSIVE MODE`);
      const inflight = operatorFetch({ url: service.url, token }, '/v1/machines').then(async (r) => ({
        status: r.status,
        body: await r.json(),
      }));
      await until(
        async () =>
          (
            await observer.query(
              `SELECT 1 FROM pg_stat_activity WHERE application_name = 'muster-inventory' AND wait_event_type = 'Lock'`,
            )
          ).rowCount === 1,
        15_000,
        'the request to wait on the lock',
      );

      const before = (await service.log()).length;
      const exiting = service.stop('SIGTERM', 60_000);
      // Shutting down: not ready any more, or no longer accepting connections.
      await until(
        async () =>
          fetch(`${service.url}/readyz`).then(
            (r) => r.status === 503,
            () => true,
          ),
        15_000,
        'the shutdown to start',
      );
      expect(service.child.exitCode).toBeNull();

      await holder.query('COMMIT');
      const answered = await inflight;
      expect(answered.status).toBe(200);
      expect(answered.body).toEqual({ machines: [] });

      const exit = await exiting;
      expect(exit.code === 0 || exit.signal === 'SIGTERM').toBe(true);
      const shutdownLog = (await service.log()).slice(before);
      const errors = shutdownLog.split('\n').filter((line) => /"level":(50|60)/.test(line));
      expect(errors).toEqual([]);
    } finally {
      await holder.end();
      await observer.end();
    }
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
        expect((await operatorFetch({ url: early.url, token }, '/v1/rollouts')).status).toBe(200);
      } finally {
        await postgres.stop();
      }
      // What it needs to serve is gone: not ready, naming it.
      await until(
        async () => (await fetch(`${early.url}/readyz`)).status === 503,
        30_000,
        'not ready without PostgreSQL',
      );
      const body = (await (await fetch(`${early.url}/readyz`)).json()) as { failing: string[] };
      expect(body.failing).toEqual(['postgres']);
      // …and ready again by itself once it is back.
      const again = await startPostgres({ dataDir: join(dir, 'late-postgres'), port });
      try {
        await early.waitReady(60_000);
      } finally {
        await again.stop();
      }
    } finally {
      await early.stop('SIGKILL');
    }
  });
});
