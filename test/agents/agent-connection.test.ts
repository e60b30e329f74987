import { verify } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { durationFromMs, timestampNow, type Timestamp } from '@bufbuild/protobuf/wkt';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  AgentConnection,
  AgentJournal,
  AgentSession,
  connectProofBytes,
  generateAgentKey,
  MemoryStateStore,
} from '@muster/agent-client';
import { AgentFrameSchema, GatewayFrameSchema, GoodbyeReason } from '@muster/contracts';
import { until } from '@muster/messaging/testing';

/**
 * The connection's socket behaviour against small stand-in gateways on loopback (the real
 * gateway is in the fault tests): the handshake headers, reconnecting to the next URL, the
 * credential refusal that stops it, and the source address.
 */
const identity = { agentId: 'agent-c', machineId: '4b8f2a3e-1111-4222-8333-444455556666', siteId: 'site-c' };
const servers: WebSocketServer[] = [];
const connections: AgentConnection[] = [];

afterEach(async () => {
  await Promise.all(connections.splice(0).map((c) => c.stop()));
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

interface Stub {
  url: string;
  server: WebSocketServer;
  upgrades: { authorization?: string; proof?: string; remoteAddress?: string }[];
  sockets: WebSocket[];
}

async function stubGateway(options: { status?: number; heartbeatMs?: number } = {}): Promise<Stub> {
  const upgrades: Stub['upgrades'] = [];
  const sockets: WebSocket[] = [];
  const server = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    verifyClient: (info, done) => {
      upgrades.push({
        authorization: info.req.headers.authorization,
        proof: info.req.headers['x-muster-proof'] as string | undefined,
        remoteAddress: info.req.socket.remoteAddress,
      });
      if (options.status) done(false, options.status);
      else done(true);
    },
  });
  server.on('connection', (ws) => {
    sockets.push(ws);
    ws.send(
      toBinary(
        GatewayFrameSchema,
        create(GatewayFrameSchema, {
          frame: {
            case: 'welcome',
            value: {
              ...identity,
              lastSeq: 0n,
              ...(options.heartbeatMs ? { heartbeatInterval: durationFromMs(options.heartbeatMs) } : {}),
            },
          },
        }),
      ),
    );
  });
  await new Promise((r) => server.once('listening', r));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, upgrades, sockets };
}

async function agent(
  urls: string[],
  extra: { localAddress?: string; heartbeat?: () => { agentVersion: string; sentAt: Timestamp } } = {},
) {
  const key = generateAgentKey();
  const session = new AgentSession(identity, await AgentJournal.open(new MemoryStateStore()), []);
  const stops: string[] = [];
  const connection = new AgentConnection({
    urls,
    credential: () => 'credential-0123456789',
    key,
    session,
    backoff: { baseMs: 10, capMs: 50 },
    onStop: (reason) => void stops.push(reason),
    ...extra,
  });
  connections.push(connection);
  connection.start();
  return { key, session, connection, stops };
}

describe('AgentConnection', () => {
  it('opens with the credential and a fresh connect proof signed by the agent’s key', async () => {
    const gw = await stubGateway();
    const { key, session } = await agent([gw.url]);
    await session.welcome();
    const [upgrade] = gw.upgrades;
    expect(upgrade?.authorization).toBe('Bearer credential-0123456789');
    const [seconds, signature] = (upgrade?.proof ?? '').split('.');
    expect(Math.abs(Number(seconds) - Date.now() / 1000)).toBeLessThan(60);
    expect(
      verify(
        null,
        connectProofBytes(Number(seconds), 'credential-0123456789'),
        key.privateKey,
        Buffer.from(signature!, 'base64url'),
      ),
    ).toBe(true);
  });

  it('connects from the source address it is given', async () => {
    const gw = await stubGateway();
    const { session } = await agent([gw.url], { localAddress: '127.0.0.7' });
    await session.welcome();
    expect(gw.upgrades[0]?.remoteAddress).toBe('127.0.0.7');
  });

  it('moves to the next gateway when its gateway drops the connection', async () => {
    const a = await stubGateway();
    const b = await stubGateway();
    const { session, connection } = await agent([a.url, b.url]);
    await session.welcome();
    for (const ws of a.sockets) ws.terminate();
    await until(
      () => b.sockets.length === 1 && session.isWelcomed,
      10_000,
      'a Welcome from the second gateway',
    );
    expect(connection.currentUrl).toBe(b.url);
    expect(connection.stats.opened).toBe(2);
  });

  it('keeps retrying a gateway that is down, with back-off, and gets in when one answers', async () => {
    const b = await stubGateway();
    const { session, connection } = await agent(['http://127.0.0.1:1', b.url]);
    await until(() => session.isWelcomed, 10_000, 'a Welcome');
    expect(connection.stats.attempts).toBeGreaterThanOrEqual(2);
  });

  it('beats at the interval its Welcome names', async () => {
    const gw = await stubGateway({ heartbeatMs: 100 });
    const beats: number[] = [];
    gw.server.on('connection', (ws) =>
      ws.on('message', (data: Buffer) => {
        const frame = fromBinary(AgentFrameSchema, new Uint8Array(data));
        if (frame.frame.case === 'heartbeat') beats.push(Number(frame.frame.value.seq));
      }),
    );
    await agent([gw.url], { heartbeat: () => ({ agentVersion: '1', sentAt: timestampNow() }) });
    await until(() => beats.length >= 4, 5_000, 'four heartbeats');
    expect(beats.slice(0, 4)).toEqual([1, 2, 3, 4]);
  });

  it('stops for good when the gateway refuses the credential (401)', async () => {
    const gw = await stubGateway({ status: 401 });
    const { connection, stops } = await agent([gw.url]);
    await connection.whenStopped();
    expect(stops).toEqual(['credential']);
    expect(connection.stats.httpRefusals[401]).toBe(1);
    await new Promise((r) => setTimeout(r, 200));
    expect(gw.upgrades).toHaveLength(1);
  });

  it('stops for good on a credential goodbye, and reconnects after a shutdown goodbye', async () => {
    const gw = await stubGateway();
    const { session, connection, stops } = await agent([gw.url]);
    await session.welcome();
    const goodbye = (reason: GoodbyeReason) =>
      toBinary(
        GatewayFrameSchema,
        create(GatewayFrameSchema, {
          frame: { case: 'goodbye', value: { reason, reconnectAfter: durationFromMs(50) } },
        }),
      );
    gw.sockets[0]!.send(goodbye(GoodbyeReason.SHUTDOWN));
    await until(() => gw.sockets.length === 2 && session.isWelcomed, 10_000, 'the reconnect');
    gw.sockets[1]!.send(goodbye(GoodbyeReason.CREDENTIAL));
    await connection.whenStopped();
    expect(stops).toEqual(['credential']);
  });
});
