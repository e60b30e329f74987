import { randomUUID } from 'node:crypto';
import { create, fromBinary, toBinary, type MessageInitShape } from '@bufbuild/protobuf';
import { durationFromMs, timestampFromMs, timestampNow } from '@bufbuild/protobuf/wkt';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  generateSigningKey,
  publicKeyBytes,
  signCommand,
  trustedKeyFromBytes,
} from '@muster/command-signing';
import {
  AgentCommandSchema,
  AgentFrameSchema,
  DeploymentPhase,
  GatewayFrameSchema,
  GoodbyeReason,
  type AgentCommand,
  type AgentFrame,
} from '@muster/contracts';
import { AgentJournal } from './agent-journal.js';
import { MemoryStateStore } from './agent-state.js';
import { AgentSession, type CloseRequest, type CommandDrop } from './agent-session.js';
import type { FlowOptions } from './report-pacer.js';

const identity = { agentId: 'agent-1', machineId: randomUUID(), siteId: 'site-1' };
const signer = generateSigningKey('test-20261130').key;
const trusted = [trustedKeyFromBytes(signer.keyId, publicKeyBytes(signer))];

const gw = (frame: MessageInitShape<typeof GatewayFrameSchema>['frame']) =>
  toBinary(GatewayFrameSchema, create(GatewayFrameSchema, { frame }));
const welcome = (lastSeq: number, agentId = identity.agentId) =>
  gw({
    case: 'welcome',
    value: { agentId, machineId: identity.machineId, siteId: identity.siteId, lastSeq: BigInt(lastSeq) },
  });
const ack = (seq: number, duplicate = false) => gw({ case: 'ack', value: { seq: BigInt(seq), duplicate } });

function command(overrides: Partial<Record<'agentId' | 'expiresAt', unknown>> = {}): AgentCommand {
  return create(AgentCommandSchema, {
    commandId: randomUUID(),
    agentId: identity.agentId,
    issuedAt: timestampFromMs(Date.now() - 1_000),
    expiresAt: timestampFromMs(Date.now() + 60_000),
    command: { case: 'collectFacts', value: {} },
    ...overrides,
  } as MessageInitShape<typeof AgentCommandSchema>);
}

async function harness(flow: FlowOptions = { ratePerSecond: 1_000, burst: 1_000 }) {
  const journal = await AgentJournal.open(new MemoryStateStore());
  const ran: string[] = [];
  const dropped: CommandDrop[] = [];
  const desired: string[] = [];
  const session = new AgentSession(
    identity,
    journal,
    trusted,
    {
      onCommand: (c) => void ran.push(c.commandId),
      onCommandDropped: (why) => void dropped.push(why),
      onDesiredState: (d) => void desired.push(d.desiredReleaseId),
    },
    undefined,
    flow,
  );
  const sent: AgentFrame[] = [];
  const closes: CloseRequest[] = [];
  const connect = () =>
    session.attach({
      send: (bytes) => sent.push(fromBinary(AgentFrameSchema, bytes)),
      close: (r) => void closes.push(r),
    });
  connect();
  const seqsSent = () =>
    sent.flatMap((f) =>
      f.frame.case && f.frame.case !== 'commandReceipt' ? [Number(f.frame.value.seq)] : [],
    );
  const receipts = () =>
    sent.flatMap((f) => (f.frame.case === 'commandReceipt' ? [f.frame.value.commandId] : []));
  return { session, journal, sent, closes, connect, seqsSent, receipts, ran, dropped, desired };
}

const flush = () => new Promise((r) => setImmediate(r));
const status = () => ({ deploymentId: randomUUID(), phase: DeploymentPhase.DOWNLOADING, at: timestampNow() });

afterEach(() => vi.useRealTimers());

describe('AgentSession reports', () => {
  it('sends nothing before the Welcome, then everything unsettled in seq order', async () => {
    const h = await harness();
    const outcomes = [
      h.session.status(status()),
      h.session.heartbeat({ sentAt: timestampNow(), agentVersion: '1' }),
    ];
    await flush();
    expect(h.sent).toHaveLength(0);
    h.session.receive(welcome(0));
    await flush();
    expect(h.seqsSent()).toEqual([1, 2]);
    h.session.receive(ack(1));
    h.session.receive(ack(2, true));
    expect(await Promise.all(outcomes)).toEqual([
      { seq: 1n, outcome: 'stored' },
      { seq: 2n, outcome: 'duplicate' },
    ]);
    expect(h.session.pendingCount).toBe(0);
  });

  it('fills in the agent id, machine id and seq from the session, never from the caller', async () => {
    const h = await harness();
    h.session.receive(welcome(0));
    await flush();
    void h.session.heartbeat({ sentAt: timestampNow(), agentVersion: '1' });
    await flush();
    const beat = h.sent[0]?.frame;
    expect(beat?.case).toBe('heartbeat');
    if (beat?.case === 'heartbeat') {
      expect(beat.value.agentId).toBe(identity.agentId);
      expect(beat.value.machineId).toBe(identity.machineId);
      expect(beat.value.seq).toBe(1n);
    }
  });

  it('resends what was sent but never acknowledged after a reconnect, and drops what the Welcome says was taken', async () => {
    const h = await harness();
    h.session.receive(welcome(0));
    await flush();
    const outcomes = [1, 2, 3].map(() => h.session.status(status()));
    await flush();
    expect(h.seqsSent()).toEqual([1, 2, 3]);
    h.session.receive(ack(1));
    // The connection drops before 2 and 3 are acknowledged; the gateway had stored 2.
    h.session.detach();
    h.sent.length = 0;
    h.connect();
    h.session.receive(welcome(2));
    await flush();
    expect(h.seqsSent()).toEqual([3]);
    h.session.receive(ack(3));
    expect((await Promise.all(outcomes)).map((o) => o.outcome)).toEqual(['stored', 'taken', 'stored']);
  });

  it('settles a refused report and never sends it again', async () => {
    const h = await harness();
    h.session.receive(welcome(0));
    const refused = h.session.status(status());
    await flush();
    h.session.receive(gw({ case: 'refused', value: { seq: 1n, reason: 'too large' } }));
    expect(await refused).toEqual({ seq: 1n, outcome: 'refused', reason: 'too large' });
    h.session.detach();
    h.sent.length = 0;
    h.connect();
    h.session.receive(welcome(0));
    await flush();
    expect(h.sent).toHaveLength(0);
  });

  it('paces reports after a SlowDown and waits its retry_after before a reconnect', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const h = await harness();
    h.session.receive(welcome(0));
    await vi.advanceTimersByTimeAsync(0);
    h.session.receive(
      gw({
        case: 'slowDown',
        value: { minReportInterval: durationFromMs(1_000), retryAfter: durationFromMs(30_000) },
      }),
    );
    for (let i = 0; i < 3; i++) void h.session.status(status());
    await vi.advanceTimersByTimeAsync(0);
    expect(h.seqsSent()).toEqual([1]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(h.seqsSent()).toEqual([1, 2]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(h.seqsSent()).toEqual([1, 2, 3]);
    expect(h.session.reconnectFloorMs).toBe(30_000);
  });

  it('keeps at most maxInFlight reports unacknowledged, sending the next as each is acknowledged', async () => {
    const h = await harness({ ratePerSecond: 1_000, burst: 1_000, maxInFlight: 2 });
    h.session.receive(welcome(0));
    await flush();
    for (let i = 0; i < 5; i++) void h.session.status(status());
    await flush();
    expect(h.seqsSent()).toEqual([1, 2]);
    h.session.receive(ack(1));
    await flush();
    expect(h.seqsSent()).toEqual([1, 2, 3]);
  });

  it('resends a backlog no faster than its own rate, so a reconnect does not trip the gateway', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const h = await harness({ ratePerSecond: 10, burst: 3, maxInFlight: 100 });
    for (let i = 0; i < 10; i++) void h.session.status(status());
    await vi.advanceTimersByTimeAsync(0);
    h.session.receive(welcome(0));
    await vi.advanceTimersByTimeAsync(0);
    expect(h.seqsSent()).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(500);
    expect(h.seqsSent()).toHaveLength(8);
  });

  it('closes a connection on which a report stays unacknowledged past ackTimeoutMs', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const h = await harness({ ratePerSecond: 1_000, burst: 1_000, ackTimeoutMs: 4_000 });
    h.session.receive(welcome(0));
    await vi.advanceTimersByTimeAsync(0);
    void h.session.status(status());
    await vi.advanceTimersByTimeAsync(3_000);
    expect(h.closes).toEqual([]);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(h.closes).toEqual([{ reconnect: true, floorMs: 0, why: 'reports not acknowledged in time' }]);
    expect(h.session.stats.ackTimeouts).toBe(1);
  });

  it('passes desired state to its owner', async () => {
    const h = await harness();
    h.session.receive(
      gw({ case: 'desiredState', value: { machineId: identity.machineId, desiredReleaseId: 'r-1' } }),
    );
    expect(h.desired).toEqual(['r-1']);
  });

  it('counts a frame that does not decode, and carries on', async () => {
    const h = await harness();
    h.session.receive(new Uint8Array([0xff, 0xff, 0xff]));
    expect(h.session.stats.malformedFrames).toBe(1);
    h.session.receive(welcome(0));
    await flush();
    expect(h.session.isWelcomed).toBe(true);
  });

  it('closes a connection whose Welcome names another agent', async () => {
    const h = await harness();
    h.session.receive(welcome(0, 'agent-2'));
    await flush();
    expect(h.session.isWelcomed).toBe(false);
    expect(h.closes[0]).toMatchObject({ reconnect: true });
  });
});

describe('AgentSession goodbyes', () => {
  it('reconnects after a shutdown no sooner than reconnect_after', async () => {
    const h = await harness();
    h.session.receive(
      gw({
        case: 'goodbye',
        value: { reason: GoodbyeReason.SHUTDOWN, reconnectAfter: durationFromMs(2_000) },
      }),
    );
    expect(h.closes).toEqual([{ reconnect: true, floorMs: 2_000, why: 'goodbye: ' }]);
  });

  it('stops for good on a revoked credential or a superseded connection', async () => {
    const h = await harness();
    h.session.receive(
      gw({ case: 'goodbye', value: { reason: GoodbyeReason.CREDENTIAL, detail: 'revoked' } }),
    );
    h.session.receive(
      gw({ case: 'goodbye', value: { reason: GoodbyeReason.SUPERSEDED, detail: 'elsewhere' } }),
    );
    expect(h.closes).toEqual([
      { reconnect: false, why: 'credential', detail: 'revoked' },
      { reconnect: false, why: 'superseded', detail: 'elsewhere' },
    ]);
  });
});

describe('AgentSession commands', () => {
  const deliver = (h: Awaited<ReturnType<typeof harness>>, signed: ReturnType<typeof signCommand>) =>
    h.session.receive(gw({ case: 'command', value: signed }));

  it('runs a verified command once, with a receipt each time it is delivered', async () => {
    const h = await harness();
    const cmd = command();
    deliver(h, signCommand(cmd, signer));
    await flush();
    deliver(h, signCommand(cmd, signer));
    await flush();
    expect(h.ran).toEqual([cmd.commandId]);
    expect(h.receipts()).toEqual([cmd.commandId, cmd.commandId]);
    expect(h.session.stats.commandsRepeated).toBe(1);
  });

  it('drops a command with a bad signature, never runs it and sends no receipt', async () => {
    const h = await harness();
    const signed = signCommand(command(), signer);
    signed.signature = new Uint8Array(64).fill(7);
    deliver(h, signed);
    await flush();
    expect(h.ran).toEqual([]);
    expect(h.receipts()).toEqual([]);
    expect(h.dropped).toEqual(['bad-signature']);
  });

  it('drops a command whose signature is missing', async () => {
    const h = await harness();
    const signed = signCommand(command(), signer);
    signed.signature = new Uint8Array(0);
    deliver(h, signed);
    await flush();
    expect(h.ran).toEqual([]);
    expect(h.dropped).toEqual(['invalid']);
  });

  it('drops an expired command, one for another agent, and one signed by an unknown key', async () => {
    const h = await harness();
    deliver(
      h,
      signCommand(
        command({
          issuedAt: timestampFromMs(Date.now() - 60_000),
          expiresAt: timestampFromMs(Date.now() - 1_000),
        } as never),
        signer,
      ),
    );
    deliver(h, signCommand(command({ agentId: 'agent-2' }), signer));
    deliver(h, signCommand(command(), generateSigningKey('rogue').key));
    await flush();
    expect(h.ran).toEqual([]);
    expect(h.dropped).toEqual(['expired', 'other-agent', 'unknown-key']);
    expect(h.session.stats.commandsDropped).toMatchObject({ expired: 1, 'other-agent': 1, 'unknown-key': 1 });
  });
});
