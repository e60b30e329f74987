// Each service's NATS user, against a real nats-server running the generated authorization:
// it can do its job (ensure its streams, create its durables, consume and settle, dead-letter,
// publish what it produces) and is refused everything else.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create } from '@bufbuild/protobuf';
import {
  allContracts,
  busManifests,
  contracts,
  deadLetter,
  GetMachineRequestSchema,
  GetMachineResponseSchema,
  headers as H,
  inboxPrefix,
  manifestKv,
  manifestStreams,
  queries,
  serviceNames,
  type ServiceName,
} from '@muster/contracts';
import {
  DurableConsumer,
  ensureDurableConsumer,
  ensureStreams,
  QueryClient,
  serveQuery,
  StreamTail,
  type BusConnection,
  type DeadLetterRecord,
} from '@muster/messaging';
import { readSubject, until } from '@muster/messaging/testing';
import { OperatorTokens, TokenIssuer, tokensBucket } from '@muster/api-auth';
import { allStreams, busWithUsers, connectAs, refusal, sampleSubject } from './bus-users.js';

const VIOLATION = /Permissions Violation for Publish to/;

describe.each(serviceNames)('the NATS user of %s', (service: ServiceName) => {
  const m = busManifests[service];
  const { owned, read } = manifestStreams(m);
  let env: Awaited<ReturnType<typeof busWithUsers>>;
  let job: Awaited<ReturnType<typeof connectAs>>;
  let rogue: Awaited<ReturnType<typeof connectAs>>;

  beforeAll(async () => {
    env = await busWithUsers();
  });
  afterAll(async () => {
    await job?.bus.close();
    await rogue?.bus.close();
    await env?.close();
  });

  it('creates the streams it writes, and waits for the producers of those it only reads', async () => {
    const connecting = connectAs(env.server, service);
    // Only the streams it reads are missing now; the administrator plays their producers.
    await until(
      async () => (await env.admin.jsm.streams.names().next()).length >= owned.length,
      15_000,
      'own streams',
    );
    const names = await env.admin.jsm.streams.names().next();
    expect(names.sort()).toEqual(owned.map((s) => s.name).sort());
    await ensureStreams(env.admin.jsm, read);
    job = await connecting;
    expect(job.bus.isConnected()).toBe(true);
    // A second start raises a limit of each stream it owns (STREAM.UPDATE) and is allowed to.
    const raised = Object.fromEntries(owned.map((s) => [s.name, { maxBytes: s.limits.maxBytes + 4096 }]));
    const again = await connectAs(env.server, service, { streamOverrides: raised });
    for (const s of owned) {
      expect((await env.admin.jsm.streams.info(s.name)).config.max_bytes, s.name).toBe(
        s.limits.maxBytes + 4096,
      );
    }
    await again.bus.close();
    expect(again.violations).toEqual([]);
    expect(job.violations).toEqual([]);
  });

  for (const contract of m.produces) {
    it(`publishes ${contract.name} into ${contract.stream}`, async () => {
      const ack = await job.bus.js.publish(sampleSubject(contract), new Uint8Array([1]), {
        msgID: `${service}-${contract.name}`,
      });
      expect(ack.stream).toBe(contract.stream);
      expect(ack.duplicate).toBe(false);
      expect(job.violations).toEqual([]);
    });
  }

  for (const { contract, durable } of m.consumes) {
    it(`consumes ${contract.name} as ${durable}: creates and updates the durable, pulls, settles and dead-letters`, async () => {
      const subject = sampleSubject(contract, 'c1');
      const spec = {
        stream: contract.stream,
        durable,
        filterSubject: contract.filter,
        ackWaitMs: 30_000,
        maxAckPending: 100,
      };
      await ensureDurableConsumer(job.bus.jsm, spec); // CONSUMER.INFO, then CREATE
      await ensureDurableConsumer(job.bus.jsm, { ...spec, maxAckPending: 120 }); // INFO, then CREATE as update
      expect((await job.bus.jsm.consumers.info(contract.stream, durable)).config.max_ack_pending).toBe(120);

      const first = await env.admin.js.publish(subject, new Uint8Array([2]));
      const consumer = await job.bus.js.consumers.get(contract.stream, durable);
      let once = await consumer.next({ expires: 5_000 });
      // A service that produces what it consumes (agent-gateway's commands) stored one above.
      while (once && once.seq < first.seq) {
        once.ack();
        once = await consumer.next({ expires: 5_000 });
      }
      expect(once?.seq).toBe(first.seq);
      once!.working();
      once!.nak();
      const twice = await consumer.next({ expires: 5_000 });
      expect(twice?.info.deliveryCount).toBe(2);
      twice!.ack();
      await until(
        async () => {
          const info = await job.bus.jsm.consumers.info(contract.stream, durable);
          return info.num_ack_pending === 0 && info.ack_floor.stream_seq === first.seq;
        },
        10_000,
        'the ack to reach the server',
      );

      // The library's own path: an undecodable message goes to the durable's dead-letter subject.
      const records: DeadLetterRecord[] = [];
      const running = await DurableConsumer.start(job.bus, {
        contract,
        durable,
        maxAttempts: 6,
        handle: async () => {
          throw new Error('no valid message is published here');
        },
        onDeadLetter: (r) => records.push(r),
      });
      const bad = await env.admin.js.publish(subject, new Uint8Array([0xff, 0xff]));
      await until(() => records.length === 1, 10_000, 'the dead letter');
      await running.stop();
      expect(records[0]).toMatchObject({ consumer: durable, streamSequence: bad.seq });
      const dead = await readSubject(env.admin, deadLetter.stream, deadLetter.subject(durable));
      expect(dead.map((d) => d.headers[H.deadLetterOriginalSequence])).toEqual([String(bad.seq)]);
      expect(job.violations).toEqual([]);
    });
  }

  for (const stream of m.tails ?? []) {
    it(`tails ${stream} from a sequence with an ordered consumer, and deletes it`, async () => {
      const contract = allContracts.find((c) => c.stream === stream)!;
      const stored = await env.admin.js.publish(sampleSubject(contract, 't1'), new Uint8Array([4]));
      const tail = await StreamTail.open(job.bus, { stream, start: { afterSeq: stored.seq - 1 } });
      const first = (await tail.messages().next()).value as { seq: number } | undefined;
      expect(first?.seq).toBe(stored.seq);
      await tail.close();
      const left = await env.admin.jsm.consumers.list(stream).next();
      expect(left.filter((c) => !c.config.durable_name)).toEqual([]);
      expect(job.violations).toEqual([]);
    });
  }

  describe('is refused', () => {
    beforeAll(async () => {
      rogue = await connectAs(env.server, service, { streams: [], awaitStreams: [] });
    });

    it('publishing what another service produces, and nothing of it is stored', async () => {
      const foreign = allContracts.filter((c) => !m.produces.includes(c));
      expect(foreign.length).toBeGreaterThan(0);
      for (const c of foreign) {
        const before =
          (await env.admin.jsm.streams.info(c.stream).catch(() => undefined))?.state.messages ?? 0;
        expect(
          await refusal(rogue.bus.js.publish(sampleSubject(c, 'r1'), new Uint8Array([3]))),
          c.name,
        ).toMatch(VIOLATION);
        const after =
          (await env.admin.jsm.streams.info(c.stream).catch(() => undefined))?.state.messages ?? 0;
        expect(after, c.name).toBe(before);
      }
    });

    it('reading everything, other services’ inboxes, events and the queries it does not answer', async () => {
      const others = serviceNames.filter((s) => s !== service).map((s) => `${inboxPrefix(s)}.>`);
      const forbidden = [
        '>',
        'muster.>',
        '_INBOX.>',
        '$JS.ACK.>',
        ...others,
        ...allContracts.map((c) => c.filter),
      ];
      for (const q of Object.values(queries)) {
        // A responder may listen only inside its queue group; others not at all.
        forbidden.push(q.subject);
        if (!m.answers.includes(q)) forbidden.push(`${q.subject}#${q.name}`);
      }
      for (const entry of forbidden) {
        const [subject, queue] = entry.split('#') as [string, string | undefined];
        const sub = rogue.bus.nc.subscribe(subject, queue ? { queue } : {});
        const closed = (await sub.closed) as unknown;
        expect(String((closed as Error | undefined)?.message ?? closed), entry).toMatch(
          /Permissions Violation for Subscription/,
        );
      }
    });

    it('creating a consumer it does not own, and deleting or purging a stream', async () => {
      // A KV bucket it watches (API_TOKENS) and a stream it tails (the api's server-sent events)
      // take consumers of any name: an ordered consumer whose name the client makes up. They
      // read only what it may read anyway; another service's durable stays out of reach (below).
      const watched = new Set<string>([
        ...(m.tails ?? []),
        ...manifestKv(m)
          .filter((g) => g.read)
          .map((g) => g.stream),
      ]);
      for (const s of allStreams) {
        expect(await refusal(rogue.bus.jsm.streams.delete(s.name)), s.name).toMatch(VIOLATION);
        expect(await refusal(rogue.bus.jsm.streams.purge(s.name)), s.name).toMatch(VIOLATION);
        if (watched.has(s.name)) continue;
        const cfg = {
          durable_name: `${service}-rogue`,
          ack_policy: 'explicit',
          filter_subject: s.subjects[0],
        } as const;
        expect(await refusal(rogue.bus.jsm.consumers.add(s.name, cfg as never)), s.name).toMatch(VIOLATION);
      }
      for (const other of serviceNames.filter((s) => s !== service)) {
        for (const x of busManifests[other].consumes) {
          expect(await refusal(rogue.bus.jsm.consumers.delete(x.contract.stream, x.durable))).toMatch(
            VIOLATION,
          );
          const theirs = {
            durable_name: x.durable,
            ack_policy: 'explicit',
            filter_subject: x.contract.filter,
          };
          expect(await refusal(rogue.bus.jsm.consumers.add(x.contract.stream, theirs as never))).toMatch(
            VIOLATION,
          );
          expect(
            await refusal(
              rogue.bus.nc.request(
                `$JS.API.CONSUMER.MSG.NEXT.${x.contract.stream}.${x.durable}`,
                new Uint8Array(),
                { timeout: 5_000 },
              ),
            ),
          ).toMatch(VIOLATION);
        }
      }
      expect(await env.admin.jsm.streams.names().next()).toEqual(
        expect.arrayContaining(owned.map((s) => s.name)),
      );
    });

    it('asking a query it does not declare', async () => {
      for (const q of Object.values(queries).filter((q) => !m.asks.includes(q))) {
        expect(
          await refusal(rogue.bus.nc.request(q.subject, new Uint8Array(), { timeout: 5_000 })),
          q.name,
        ).toMatch(VIOLATION);
      }
    });
  });
});

describe('discovery and an agent command', () => {
  it('discovery cannot publish an agent command; the scheduler can', async () => {
    const env = await busWithUsers();
    await ensureStreams(env.admin.jsm, allStreams);
    try {
      const scheduler = await connectAs(env.server, 'scheduler');
      const discovery = await connectAs(env.server, 'discovery');
      const subject = contracts.agentCommand.subject({ siteId: 'site-1', agentId: 'agent-1' });
      expect(await refusal(discovery.bus.js.publish(subject, new Uint8Array([1])))).toMatch(
        `Permissions Violation for Publish to "${subject}"`,
      );
      const ok = await scheduler.bus.js.publish(subject, new Uint8Array([1]));
      const stored = await readSubject(env.admin, 'AGENT_COMMANDS', subject);
      expect(stored.map((s) => s.seq)).toEqual([ok.seq]);
      await Promise.all([scheduler.bus.close(), discovery.bus.close()]);
    } finally {
      await env.close();
    }
  });
});

describe('queries under permissions', () => {
  let env: Awaited<ReturnType<typeof busWithUsers>>;
  const open: BusConnection[] = [];
  beforeAll(async () => {
    env = await busWithUsers();
    await ensureStreams(env.admin.jsm, allStreams);
  });
  afterAll(async () => {
    await Promise.all(open.map((b) => b.close()));
    await env?.close();
  });

  it('inventory answers getMachine in its queue group and the scheduler asks it', async () => {
    const inventory = await connectAs(env.server, 'inventory');
    const scheduler = await connectAs(env.server, 'scheduler');
    open.push(inventory.bus, scheduler.bus);
    const asked: string[] = [];
    serveQuery(inventory.bus, queries.getMachine, async (req) => {
      asked.push(req.machineId);
      return create(GetMachineResponseSchema, { found: false });
    });
    await inventory.bus.nc.flush();
    const id = '7b6d1a52-5f0e-4a8e-9d7e-1f2a3b4c5d6e';
    const answer = await new QueryClient(scheduler.bus, '/muster/scheduler').request(
      queries.getMachine,
      create(GetMachineRequestSchema, { machineId: id }),
    );
    expect(answer.found).toBe(false);
    expect(asked).toEqual([id]);
    expect(inventory.violations).toEqual([]);
    expect(scheduler.violations).toEqual([]);
  });
});

describe('operator API tokens under permissions', () => {
  let env: Awaited<ReturnType<typeof busWithUsers>>;
  const open: { close(): Promise<void> }[] = [];
  beforeAll(async () => {
    env = await busWithUsers();
    // Every stream but the bucket, which its owner (the api service) creates.
    await ensureStreams(
      env.admin.jsm,
      allStreams.filter((s) => s.name !== 'KV_API_TOKENS'),
    );
  });
  afterAll(async () => {
    for (const o of open.reverse()) await o.close();
    await env?.close();
  });

  it('only the api service writes tokens; every service watches them, reads one, and records its use', async () => {
    // The api service creates the bucket (it owns it) and writes a token.
    const api = await connectAs(env.server, 'api');
    open.push(api.bus);
    const { token, record } = await new TokenIssuer(api.bus).create({
      name: 'perm-test',
      createdBy: 'test',
      expiresAt: null,
    });
    for (const service of serviceNames.filter((s) => s !== 'api')) {
      const user = await connectAs(env.server, service);
      open.push(user.bus);
      const checker = OperatorTokens.start(user.bus);
      open.push(checker);
      await checker.cache.whenLoaded();
      expect(
        checker.cache.all().map((t) => t.tokenId),
        service,
      ).toContain(record.tokenId);
      expect((await checker.authenticate(`Bearer ${token}`)).ok, service).toBe(true);
      await checker.flushUses();
      // Reading one token directly (a token the watch has not delivered yet).
      expect((await tokensBucket(user.bus).get(`token.${record.tokenId}`))?.seq, service).toBeGreaterThan(0);
      // Writing a token, or revoking one, is refused.
      expect(
        await refusal(
          new TokenIssuer(user.bus).create({ name: 'forged', createdBy: service, expiresAt: null }),
        ),
        service,
      ).toMatch(/Permissions Violation for Publish to "\$KV\.API_TOKENS\.token\./);
      expect(await refusal(new TokenIssuer(user.bus).revoke(record.tokenId, service)), service).toMatch(
        /Permissions Violation/,
      );
      expect(
        user.violations.filter((v) => !/\$KV\.API_TOKENS\.token\./.test(v)),
        service,
      ).toEqual([]);
    }
    const used = await tokensBucket(env.admin).get(`used.${record.tokenId}`);
    expect(used).toBeDefined();
    expect((await new TokenIssuer(api.bus).revoke(record.tokenId, 'operator:x')).changed).toBe(true);
  });
});
