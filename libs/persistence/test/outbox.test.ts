import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { create, fromBinary } from '@bufbuild/protobuf';
import { timestampNow } from '@bufbuild/protobuf/wkt';
import { contracts, MachineState, MachineUpdatedSchema } from '@muster/contracts';
import { EventPublisher, prepareMessage } from '@muster/messaging';
import { ownBus, readSubject, until } from '@muster/messaging/testing';
import { Outbox, OutboxOutsideTransactionError, OutboxRelay } from '../src/index.js';
import { heartbeat, openTestDatabase, seqOf, testSchema } from './persistence-fixture.js';

const pgUrl = inject('servers').postgres.url;
let env: Awaited<ReturnType<typeof ownBus>>;
let publisher: EventPublisher;
const open: DataSource[] = [];
beforeAll(async () => {
  env = await ownBus();
  publisher = new EventPublisher(env.bus, '/muster/test');
});
afterAll(async () => {
  await Promise.all(open.map((ds) => ds.destroy()));
  await env?.close();
});

async function database(schema = testSchema()): Promise<DataSource> {
  const ds = await openTestDatabase(pgUrl, schema);
  open.push(ds);
  return ds;
}

function scope() {
  const tag = randomUUID().slice(0, 8);
  const params = { siteId: `site-${tag}`, agentId: `agent-${tag}` };
  return { ...params, params, subject: contracts.agentStatus.subject(params) };
}

const outbox = new Outbox('/muster/test');
const stored = (subject: string) => readSubject(env.bus, contracts.agentStatus.stream, subject);
const outboxCount = async (ds: DataSource) =>
  (await ds.query<{ n: number }[]>('SELECT count(*)::int AS n FROM outbox'))[0]!.n;

describe('migrations', () => {
  it('apply once even when two instances start together', async () => {
    const schema = testSchema();
    const [a] = await Promise.all([database(schema), database(schema)]);
    const rows = await a.query<{ name: string }[]>('SELECT name FROM migrations ORDER BY id');
    expect(rows.map((r) => r.name)).toEqual(['OutboxInbox1763800000000', 'Widgets1763800000999']);
  });
});

describe('transactional outbox', () => {
  it('refuses to add an event outside a transaction, and stores nothing', async () => {
    const ds = await database();
    const s = scope();
    await expect(
      outbox.add(ds.manager, contracts.agentStatus, s.params, heartbeat(s.agentId, 1)),
    ).rejects.toThrow(OutboxOutsideTransactionError);
    const runner = ds.createQueryRunner();
    try {
      await expect(
        outbox.add(runner.manager, contracts.agentStatus, s.params, heartbeat(s.agentId, 1)),
      ).rejects.toThrow(/needs the EntityManager of a transaction/);
    } finally {
      await runner.release();
    }
    expect(await outboxCount(ds)).toBe(0);
  });

  it('commits the row and its event together, and a rollback leaves neither', async () => {
    const ds = await database();
    const s = scope();
    const added = await ds.transaction(async (m) => {
      await m.query(`INSERT INTO widget (name) VALUES ('kept')`);
      return outbox.add(m, contracts.agentStatus, s.params, heartbeat(s.agentId, 1));
    });
    await expect(
      ds.transaction(async (m) => {
        await m.query(`INSERT INTO widget (name) VALUES ('lost')`);
        await outbox.add(m, contracts.agentStatus, s.params, heartbeat(s.agentId, 2));
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    const relay = new OutboxRelay(ds, publisher);
    expect(await relay.relayOnce()).toEqual({ published: 1, complete: true });
    const events = await stored(s.subject);
    expect(events.map((e) => e.headers['ce-id'])).toEqual([added.id]);
    expect((await ds.query<{ name: string }[]>('SELECT name FROM widget')).map((r) => r.name)).toEqual([
      'kept',
    ]);
    expect(await outboxCount(ds)).toBe(0);
  });

  it('heals a crash between commit and publish: the relay of the next process publishes the row', async () => {
    const schema = testSchema();
    const ds = await database(schema);
    const s = scope();
    const child = spawn(
      process.execPath,
      [
        '--import',
        '@swc-node/register/esm-register',
        '--conditions=@muster/source',
        fileURLToPath(new URL('./crash-after-commit.ts', import.meta.url)),
      ],
      {
        env: {
          ...process.env,
          PG_URL: pgUrl,
          SCHEMA: schema,
          NATS_URL: env.server.url,
          SITE: s.siteId,
          AGENT: s.agentId,
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const exit = await new Promise<NodeJS.Signals | number | null>((resolve) =>
      child.on('exit', (code, signal) => resolve(signal ?? code)),
    );
    expect(exit).toBe('SIGKILL');
    expect(await outboxCount(ds)).toBe(5);
    expect(await stored(s.subject)).toHaveLength(0);
    const relay = new OutboxRelay(ds, publisher);
    relay.start();
    await until(async () => (await outboxCount(ds)) === 0, 10_000, 'outbox drained');
    await relay.stop();
    const events = await stored(s.subject);
    expect(events.map((e) => seqOf(e.data))).toEqual([1, 2, 3, 4, 5]);
  });

  it('a relay that published but died before deleting republishes without duplicates', async () => {
    const ds = await database();
    const s = scope();
    const messages = [1, 2, 3].map((i) =>
      prepareMessage('/muster/test', contracts.agentStatus, s.params, heartbeat(s.agentId, i)),
    );
    await ds.transaction((m) => outbox.addPrepared(m, messages));
    for (const m of messages) await publisher.publishPrepared(m);
    await new OutboxRelay(ds, publisher).relayOnce();
    expect((await stored(s.subject)).map((e) => seqOf(e.data))).toEqual([1, 2, 3]);
    expect(await outboxCount(ds)).toBe(0);
  });

  it('two relays running at once publish every row once, in the order of the rows', async () => {
    const ds = await database();
    const s = scope();
    const total = 1_000;
    for (let tx = 0; tx < 10; tx++) {
      await ds.transaction(async (m) => {
        for (let i = 1; i <= 100; i++)
          await outbox.add(m, contracts.agentStatus, s.params, heartbeat(s.agentId, tx * 100 + i));
      });
    }
    const relays = [
      new OutboxRelay(ds, publisher, { batchSize: 37, idleMs: 5 }),
      new OutboxRelay(ds, publisher, { batchSize: 37, idleMs: 5 }),
    ];
    relays.forEach((r) => r.start());
    await until(async () => (await outboxCount(ds)) === 0, 30_000, 'outbox drained');
    await Promise.all(relays.map((r) => r.stop()));
    const seqs = (await stored(s.subject)).map((e) => seqOf(e.data));
    expect(seqs).toHaveLength(total);
    expect(seqs).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  });

  it('a relay that fails in the middle of a batch keeps every later row, and each entity still sees its revisions in order', async () => {
    const ds = await database();
    const s = scope();
    const machine = { siteId: s.siteId, machineId: randomUUID() };
    const updated = (revision: number) =>
      create(MachineUpdatedSchema, {
        machineId: machine.machineId,
        siteId: s.siteId,
        state: MachineState.DISCOVERED,
        revision: BigInt(revision),
        changedFields: ['state'],
        updatedAt: timestampNow(),
      });
    // One batch, alternating between two streams: status 1, machine rev 1, status 2, machine rev 2, …
    await ds.transaction(async (m) => {
      for (let i = 1; i <= 5; i++) {
        await outbox.add(m, contracts.agentStatus, s.params, heartbeat(s.agentId, i));
        await outbox.add(m, contracts.machineUpdated, machine, updated(i));
      }
    });
    // INVENTORY is full (discard new): every publish to it fails, the others go through.
    const inventory = (await env.bus.jsm.streams.info('INVENTORY')).config;
    const full = (await env.bus.jsm.streams.info('INVENTORY')).state.messages;
    await env.bus.jsm.streams.update('INVENTORY', { ...inventory, max_msgs: Math.max(full, 1) });
    if (full === 0)
      await env.bus.js.publish(
        contracts.machineUpdated.subject({ siteId: 'filler', machineId: 'f' }),
        new Uint8Array(1),
      );
    const relay = new OutboxRelay(ds, publisher, { batchSize: 100 });
    const round = await relay.relayOnce();
    // Only the prefix before the first failure counts as done; the rest stays in the outbox.
    expect(round).toEqual({ published: 1, complete: false });
    expect(await outboxCount(ds)).toBe(9);

    await env.bus.jsm.streams.update('INVENTORY', { ...inventory, max_msgs: -1 });
    while ((await relay.relayOnce()).published > 0);
    expect(await outboxCount(ds)).toBe(0);

    // Every row once (the rows published before the failure were republished with the same id
    // and dropped by JetStream), and per entity in revision order.
    expect((await stored(s.subject)).map((e) => seqOf(e.data))).toEqual([1, 2, 3, 4, 5]);
    const revisions = (
      await readSubject(env.bus, 'INVENTORY', contracts.machineUpdated.subject(machine))
    ).map((e) => Number(fromBinary(MachineUpdatedSchema, e.data).revision));
    expect(revisions).toEqual([1, 2, 3, 4, 5]);
  });
});
