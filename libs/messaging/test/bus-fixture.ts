import { randomUUID } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { timestampNow } from '@bufbuild/protobuf/wkt';
import { AckPolicy, DeliverPolicy } from '@nats-io/jetstream';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentStatusSchema, DeploymentPhase, streams, type AgentStatus } from '@muster/contracts';
import { startNats, type NatsServerHandle } from '@muster/testing';
import { BusConnection } from '../src/index.js';
import { fromMsgHdrs, toMsgHdrs } from '../src/event-envelope.js';

/** A nats-server of the test file's own (starts in ~0.1 s), so streams never collide. */
export async function ownBus(): Promise<{
  server: NatsServerHandle;
  bus: BusConnection;
  close: () => Promise<void>;
}> {
  const dir = await mkdtemp(join(tmpdir(), 'muster-bus-'));
  const server = await startNats({ dataDir: dir });
  const bus = await BusConnection.connect({ servers: [server.url], name: 'test', streams });
  return {
    server,
    bus,
    close: async () => {
      await bus.close();
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function until(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Every message stored on one subject, in stream order (an ephemeral, unacknowledged read). */
export async function readSubject(
  bus: BusConnection,
  stream: string,
  subject: string,
): Promise<{ seq: number; subject: string; data: Uint8Array; headers: Record<string, string> }[]> {
  const info = await bus.jsm.consumers.add(stream, {
    ack_policy: AckPolicy.None,
    deliver_policy: DeliverPolicy.All,
    filter_subject: subject,
    inactive_threshold: 30_000_000_000,
  });
  const consumer = await bus.js.consumers.get(stream, info.name);
  const pending = info.num_pending;
  const out: { seq: number; subject: string; data: Uint8Array; headers: Record<string, string> }[] = [];
  while (out.length < pending) {
    const batch = await consumer.fetch({ max_messages: Math.min(500, pending - out.length), expires: 2_000 });
    for await (const m of batch) {
      out.push({ seq: m.seq, subject: m.subject, data: m.data, headers: fromMsgHdrs(m.headers) });
    }
  }
  await bus.jsm.consumers.delete(stream, info.name);
  return out;
}

/** Publishes raw bytes with the given headers and transport id, as a misbehaving producer would. */
export async function publishRaw(
  bus: BusConnection,
  subject: string,
  data: Uint8Array,
  headerMap: Record<string, string>,
  msgID: string,
): Promise<{ duplicate: boolean; seq: number }> {
  // JetStream's own headers (Nats-Msg-Id) come from msgID, not from the copied map.
  const own = Object.fromEntries(Object.entries(headerMap).filter(([k]) => !k.startsWith('nats-')));
  return bus.js.publish(subject, data, { headers: toMsgHdrs(own), msgID });
}

/** An agent status event (a valid message of a stream every test may use), its seq given. */
export const statusEvent = (agentId: string, seq: number): AgentStatus =>
  create(AgentStatusSchema, {
    agentId,
    seq: BigInt(seq),
    deploymentId: randomUUID(),
    phase: DeploymentPhase.DOWNLOADING,
    at: timestampNow(),
  });
