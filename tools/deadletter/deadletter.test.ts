import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contracts, headers as H, type AgentStatus } from '@muster/contracts';
import {
  DeadLetterStore,
  DurableConsumer,
  EventPublisher,
  PermanentFailureError,
  type Delivery,
} from '@muster/messaging';
import { statusEvent as heartbeat, ownBus, readSubject, until } from '@muster/messaging/testing';
import { parseDeadLetterArgs } from './deadletter-args.js';
import { runDeadLetterCommand } from './deadletter-commands.js';
import { getFreePort } from '@muster/testing';
import { connectFromEnv } from './deadletter-connection.js';

let env: Awaited<ReturnType<typeof ownBus>>;
let publisher: EventPublisher;
let store: DeadLetterStore;
beforeAll(async () => {
  env = await ownBus();
  publisher = new EventPublisher(env.bus, '/muster/test');
  store = new DeadLetterStore(env.bus);
});
afterAll(async () => env?.close());

/** A consumer that refuses seq ≤ `broken` until the test "fixes" it, and records what it applied. */
async function brokenConsumer(broken: { upTo: number }) {
  const tag = randomUUID().slice(0, 8);
  const params = { siteId: `site-${tag}`, agentId: `agent-${tag}` };
  const applied: Delivery<AgentStatus>[] = [];
  const durable = `dl-tool-${tag}`;
  const consumer = await DurableConsumer.start(env.bus, {
    contract: contracts.agentStatus,
    durable,
    filterSubject: contracts.agentStatus.subject(params),
    handle: async ([d]) => {
      if (d!.message.seq <= BigInt(broken.upTo)) throw new PermanentFailureError('agent unknown');
      applied.push(d!);
    },
  });
  return { params, durable, applied, consumer };
}

const run = async (args: string[]) => {
  const lines: string[] = [];
  const code = await runDeadLetterCommand(store, parseDeadLetterArgs(args), (l) => lines.push(l));
  return { code, lines };
};

describe('npm run deadletter', () => {
  it('lists and shows dead letters, replays one to its consumer with the same event id, and removes it', async () => {
    const broken = { upTo: 2 };
    const c = await brokenConsumer(broken);
    const first = await publisher.publish(contracts.agentStatus, c.params, heartbeat(c.params.agentId, 1));
    await publisher.publish(contracts.agentStatus, c.params, heartbeat(c.params.agentId, 2));
    await until(
      async () => (await store.list({ consumer: c.durable })).length === 2,
      10_000,
      'two dead letters',
    );

    const listed = await run(['list', '--consumer', c.durable, '--json']);
    const entries = JSON.parse(listed.lines[0]!) as {
      seq: number;
      reason: string;
      eventId: string;
      subject: string;
    }[];
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({
      reason: 'handler failed on attempt 1/10: agent unknown',
      subject: contracts.agentStatus.subject(c.params),
      streamSequence: first.seq,
    });
    const shown = await run(['show', String(entries[0]!.seq)]);
    expect(shown.code).toBe(0);
    expect(shown.lines.join('\n')).toMatch(/reason: +handler failed on attempt 1\/10: agent unknown/);

    broken.upTo = 0; // the fix is deployed
    const replayed = await run(['replay', String(entries[0]!.seq)]);
    expect(replayed.code).toBe(0);
    await until(() => c.applied.length === 1, 10_000, 'the replayed event applied');
    const original = (
      await readSubject(env.bus, contracts.agentStatus.stream, contracts.agentStatus.subject(c.params))
    )[0]!;
    expect(c.applied[0]!.meta.id).toBe(original.headers[H.ceId]);
    expect(c.applied[0]!.message.seq).toBe(1n);
    const copies = await readSubject(
      env.bus,
      contracts.agentStatus.stream,
      contracts.agentStatus.subject(c.params),
    );
    expect(copies.at(-1)!.headers['nats-msg-id']).toBe(
      `${original.headers[H.ceId]}:replay:${entries[0]!.seq}`,
    );
    expect((await store.list({ consumer: c.durable })).map((e) => e.seq)).toEqual([entries[1]!.seq]);
    expect(await run(['show', String(entries[0]!.seq)])).toEqual({
      code: 1,
      lines: [`no dead letter #${entries[0]!.seq}`],
    });

    await run(['replay', '--consumer', c.durable, '--all']);
    await until(() => c.applied.length === 2, 10_000, 'the second replayed event applied');
    expect(await store.list({ consumer: c.durable })).toEqual([]);
    await c.consumer.stop();
  });

  it('purges one, a consumer’s, and those older than an age', async () => {
    const c = await brokenConsumer({ upTo: 99 });
    for (let seq = 1; seq <= 4; seq++) {
      await publisher.publish(contracts.agentStatus, c.params, heartbeat(c.params.agentId, seq));
    }
    await until(
      async () => (await store.list({ consumer: c.durable })).length === 4,
      10_000,
      'four dead letters',
    );
    await c.consumer.stop();
    const [one] = await store.list({ consumer: c.durable });
    expect((await run(['purge', String(one!.seq)])).lines).toEqual([`removed #${one!.seq}`]);
    // Nothing of this consumer is a day old.
    expect((await run(['purge', '--consumer', c.durable, '--older-than', '1d'])).lines).toEqual([
      '0 removed',
    ]);
    expect(await store.list({ consumer: c.durable })).toHaveLength(3);
    const future = () => new Date(Date.now() + 86_400_000);
    const cmd = parseDeadLetterArgs(['purge', '--consumer', c.durable, '--older-than', '1h']);
    expect(await runDeadLetterCommand(store, cmd, () => undefined, future)).toBe(0);
    expect(await store.list({ consumer: c.durable })).toEqual([]);
  });

  it('connects with MUSTER_NATS_URL and ignores the other MUSTER_* settings', async () => {
    const bus = await connectFromEnv({
      MUSTER_NATS_URL: env.server.url,
      MUSTER_DATABASE_URL: 'postgres://x/y',
    });
    try {
      expect(await bus.ping()).toBe(true);
    } finally {
      await bus.close();
    }
  });

  it('fails at once, naming the server, when no NATS server answers', async () => {
    const port = await getFreePort();
    const refused = connectFromEnv({ MUSTER_NATS_URL: `nats://admin:s3cret@127.0.0.1:${port}` });
    await expect(refused).rejects.toThrow(`cannot reach NATS at nats://admin:***@127.0.0.1:${port}: `);
    await expect(refused).rejects.not.toThrow(/s3cret/);
  });
});
