import { create, type DescMessage, type MessageInitShape, type MessageShape } from '@bufbuild/protobuf';
import { durationMs, timestampDate } from '@bufbuild/protobuf/wkt';
import {
  CommandRefusedError,
  verifyCommand,
  type CommandRefusal,
  type TrustedKey,
} from '@muster/command-signing';
import {
  GoodbyeReason,
  AgentFactsSchema,
  AgentHeartbeatSchema,
  AgentStatusSchema,
  type AgentCommand,
  type DesiredState,
  type Goodbye,
  type SignedAgentCommand,
  type Welcome,
} from '@muster/contracts';
import type { AgentJournal } from './agent-journal.js';
import { decodeGatewayFrame, encodeAgentFrame } from './frames.js';
import { DEFAULT_FLOW, ReportPacer, type FlowOptions } from './report-pacer.js';

export interface AgentIdentity {
  readonly agentId: string;
  readonly machineId: string;
  readonly siteId: string;
}

/** What the session asks of the connection under it. */
export interface SessionTransport {
  send(bytes: Uint8Array): void;
  /** Closes this connection and reconnects no sooner than `floorMs`, or stops for good. */
  close(request: CloseRequest): void;
}

export type CloseRequest =
  | { readonly reconnect: true; readonly floorMs: number; readonly why: string }
  | { readonly reconnect: false; readonly why: 'credential' | 'superseded'; readonly detail: string };

/** Why a command was not run: the contract's refusals, or a frame that broke the command's rules. */
export type CommandDrop = CommandRefusal | 'invalid';

export type ReportKind = 'heartbeat' | 'status' | 'facts';

export interface AgentEvents {
  /** A report got its seq and is in the outbox (before it is sent). */
  onReport?(seq: bigint, kind: ReportKind): void;
  /** The gateway settled a report (also for reports resent from a previous run). */
  onSettled?(outcome: ReportOutcome): void;
  onWelcome?(welcome: Welcome): void;
  onDesiredState?(desired: DesiredState): void;
  /** A verified command, called once per command_id (after its receipt is sent). */
  onCommand?(command: AgentCommand): void | Promise<void>;
  onCommandDropped?(why: CommandDrop, detail: string): void;
  onGoodbye?(goodbye: Goodbye): void;
  onError?(err: unknown): void;
}

export interface ReportOutcome {
  readonly seq: bigint;
  /** stored: acknowledged; duplicate: the gateway had it already; taken: Welcome.last_seq covered it. */
  readonly outcome: 'stored' | 'duplicate' | 'taken' | 'refused';
  readonly reason?: string;
}

export interface SessionStats {
  welcomes: number;
  reportsSent: number;
  acks: number;
  duplicates: number;
  refused: number;
  commandsRun: number;
  commandsRepeated: number;
  commandsDropped: Record<CommandDrop, number>;
  malformedFrames: number;
  slowDowns: number;
  goodbyes: number;
  /** Connections closed because a report went unacknowledged for ackTimeoutMs. */
  ackTimeouts: number;
}

/** The plain-object form of a message's init (not an already built message). */
type InitOf<S extends DescMessage> = Exclude<MessageInitShape<S>, MessageShape<S>>;
/** A report's fields; the session fills in the agent, the machine and the seq. */
export type HeartbeatInit = Omit<InitOf<typeof AgentHeartbeatSchema>, 'agentId' | 'machineId' | 'seq'>;
export type StatusInit = Omit<InitOf<typeof AgentStatusSchema>, 'agentId' | 'seq'>;
export type FactsInit = Omit<InitOf<typeof AgentFactsSchema>, 'agentId' | 'machineId' | 'seq'>;

/**
 * The agent's half of the protocol, independent of the socket: allocates seqs, keeps reports
 * until the gateway settles them, resends what a Welcome says is missing, paces reports after a
 * SlowDown, verifies and runs commands at most once, and tells the connection when to close.
 */
export class AgentSession {
  readonly stats: SessionStats = {
    welcomes: 0,
    reportsSent: 0,
    acks: 0,
    duplicates: 0,
    refused: 0,
    commandsRun: 0,
    commandsRepeated: 0,
    commandsDropped: {
      'unknown-key': 0,
      'bad-signature': 0,
      malformed: 0,
      'other-agent': 0,
      expired: 0,
      invalid: 0,
    },
    malformedFrames: 0,
    slowDowns: 0,
    goodbyes: 0,
    ackTimeouts: 0,
  };
  private transport: SessionTransport | undefined;
  private welcomed = false;
  private queue: { seq: bigint; frame: Uint8Array }[] = [];
  /** Seqs queued on this connection: a report is sent at most once per connection. */
  private queued = new Set<bigint>();
  private pacer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  /** Reports sent on this connection and not settled yet, with when they were sent. */
  private readonly inFlight = new Map<bigint, number>();
  private readonly flow: Required<FlowOptions>;
  private readonly rate: ReportPacer;
  private readonly waiters = new Map<bigint, (outcome: ReportOutcome) => void>();
  private welcomeWaiters: (() => void)[] = [];
  /** The last Welcome (its heartbeat_interval and credential expiry). */
  lastWelcome: Welcome | undefined;
  /** retry_after of the last SlowDown: the next reconnect waits at least this long. */
  reconnectFloorMs = 0;

  constructor(
    readonly identity: AgentIdentity,
    private readonly journal: AgentJournal,
    private readonly trustedKeys: readonly TrustedKey[],
    private readonly events: AgentEvents = {},
    private readonly clock: () => Date = () => new Date(),
    flow: FlowOptions = {},
  ) {
    this.flow = { ...DEFAULT_FLOW, ...flow };
    this.rate = new ReportPacer(this.flow);
  }

  get isWelcomed(): boolean {
    return this.welcomed;
  }

  /** Unacknowledged reports. */
  get pendingCount(): number {
    return this.journal.pending().length;
  }

  /** A new connection is open; nothing is sent before its Welcome. */
  attach(transport: SessionTransport): void {
    this.detach();
    this.transport = transport;
  }

  /** The connection is gone: unsent frames stay in the outbox for the next Welcome. */
  detach(): void {
    this.transport = undefined;
    this.welcomed = false;
    this.queue = [];
    this.queued.clear();
    this.inFlight.clear();
    if (this.pacer) clearTimeout(this.pacer);
    this.pacer = undefined;
    if (this.watchdog) clearTimeout(this.watchdog);
    this.watchdog = undefined;
  }

  /** Resolves at the next Welcome (at once when welcomed). */
  welcome(): Promise<void> {
    if (this.welcomed) return Promise.resolve();
    return new Promise((resolve) => this.welcomeWaiters.push(resolve));
  }

  heartbeat(init: HeartbeatInit): Promise<ReportOutcome> {
    return this.report('heartbeat', (seq) => {
      const value = create(AgentHeartbeatSchema, init as InitOf<typeof AgentHeartbeatSchema>);
      Object.assign(value, { agentId: this.identity.agentId, machineId: this.identity.machineId, seq });
      return encodeAgentFrame({ frame: { case: 'heartbeat', value } });
    });
  }

  status(init: StatusInit): Promise<ReportOutcome> {
    return this.report('status', (seq) => {
      const value = create(AgentStatusSchema, init as InitOf<typeof AgentStatusSchema>);
      Object.assign(value, { agentId: this.identity.agentId, seq });
      return encodeAgentFrame({ frame: { case: 'status', value } });
    });
  }

  facts(init: FactsInit): Promise<ReportOutcome> {
    return this.report('facts', (seq) => {
      const value = create(AgentFactsSchema, init as InitOf<typeof AgentFactsSchema>);
      Object.assign(value, { agentId: this.identity.agentId, machineId: this.identity.machineId, seq });
      return encodeAgentFrame({ frame: { case: 'facts', value } });
    });
  }

  /**
   * Allocates a seq and sends the report when connected (else at the next Welcome); resolves
   * when the gateway settles it. Rejects with OutboxFullError when too many are unsettled.
   */
  private async report(kind: ReportKind, build: (seq: bigint) => Uint8Array): Promise<ReportOutcome> {
    const entry = await this.journal.append(build);
    this.events.onReport?.(entry.seq, kind);
    const settled = new Promise<ReportOutcome>((resolve) => this.waiters.set(entry.seq, resolve));
    if (this.welcomed) this.enqueue(entry);
    return settled;
  }

  /** One binary frame from the gateway. */
  receive(bytes: Uint8Array): void {
    const decoded = decodeGatewayFrame(bytes);
    if (decoded.kind === 'malformed') {
      this.stats.malformedFrames++;
      this.events.onError?.(new Error(`gateway frame ${decoded.reason}`));
      return;
    }
    if (decoded.kind === 'invalid') {
      if (decoded.frame.frame.case === 'command') {
        this.drop('invalid', decoded.reason);
      } else {
        this.stats.malformedFrames++;
        this.events.onError?.(new Error(`gateway frame breaks the contract: ${decoded.reason}`));
      }
      return;
    }
    const { frame } = decoded.frame;
    switch (frame.case) {
      case 'welcome':
        return this.onWelcome(frame.value);
      case 'ack':
        this.stats.acks++;
        if (frame.value.duplicate) this.stats.duplicates++;
        return this.settle(frame.value.seq, frame.value.duplicate ? 'duplicate' : 'stored');
      case 'refused':
        this.stats.refused++;
        return this.settle(frame.value.seq, 'refused', frame.value.reason);
      case 'command':
        void this.onCommand(frame.value).catch((err: unknown) => this.events.onError?.(err));
        return;
      case 'slowDown':
        this.stats.slowDowns++;
        if (frame.value.minReportInterval) this.rate.slowDown(durationMs(frame.value.minReportInterval));
        this.reconnectFloorMs = frame.value.retryAfter ? durationMs(frame.value.retryAfter) : 0;
        return;
      case 'desiredState':
        this.events.onDesiredState?.(frame.value);
        return;
      case 'goodbye':
        return this.onGoodbye(frame.value);
      default:
        return;
    }
  }

  private onWelcome(welcome: Welcome): void {
    if (welcome.agentId !== this.identity.agentId) {
      this.stats.malformedFrames++;
      this.transport?.close({
        reconnect: true,
        floorMs: 0,
        why: `Welcome names agent ${welcome.agentId}, not ${this.identity.agentId}`,
      });
      return;
    }
    this.stats.welcomes++;
    void this.journal
      .settleThrough(welcome.lastSeq)
      .then((taken) => {
        for (const seq of taken) this.resolve(seq, { seq, outcome: 'taken' });
        // This connection may have closed while the journal saved.
        if (!this.transport) return;
        this.welcomed = true;
        this.lastWelcome = welcome;
        for (const entry of this.journal.pending()) this.enqueue(entry);
        this.events.onWelcome?.(welcome);
        for (const w of this.welcomeWaiters.splice(0)) w();
      })
      .catch((err: unknown) => this.events.onError?.(err));
  }

  private onGoodbye(goodbye: Goodbye): void {
    this.stats.goodbyes++;
    this.events.onGoodbye?.(goodbye);
    const floorMs = goodbye.reconnectAfter ? durationMs(goodbye.reconnectAfter) : 0;
    if (goodbye.reason === GoodbyeReason.CREDENTIAL) {
      this.transport?.close({ reconnect: false, why: 'credential', detail: goodbye.detail });
    } else if (goodbye.reason === GoodbyeReason.SUPERSEDED) {
      this.transport?.close({ reconnect: false, why: 'superseded', detail: goodbye.detail });
    } else {
      this.transport?.close({ reconnect: true, floorMs, why: `goodbye: ${goodbye.detail}` });
    }
  }

  private async onCommand(signed: SignedAgentCommand): Promise<void> {
    let command: AgentCommand;
    try {
      command = verifyCommand(signed, this.trustedKeys, this.identity.agentId, this.clock());
    } catch (err) {
      if (err instanceof CommandRefusedError) return this.drop(err.refusal, err.message);
      throw err;
    }
    const receipt = () =>
      this.transport?.send(
        encodeAgentFrame({ frame: { case: 'commandReceipt', value: { commandId: command.commandId } } }),
      );
    if (this.journal.hasRun(command.commandId)) {
      // Redelivered (our receipt was lost): say so again, never run it twice.
      this.stats.commandsRepeated++;
      receipt();
      return;
    }
    const expiresAt = command.expiresAt ? timestampDate(command.expiresAt).getTime() : Date.now();
    await this.journal.recordRun(command.commandId, expiresAt);
    receipt();
    this.stats.commandsRun++;
    await this.events.onCommand?.(command);
  }

  private drop(why: CommandDrop, detail: string): void {
    this.stats.commandsDropped[why]++;
    this.events.onCommandDropped?.(why, detail);
  }

  private settle(seq: bigint, outcome: ReportOutcome['outcome'], reason?: string): void {
    void this.journal
      .settle(seq)
      .then(() => this.resolve(seq, reason === undefined ? { seq, outcome } : { seq, outcome, reason }))
      .catch((err: unknown) => this.events.onError?.(err));
  }

  private resolve(seq: bigint, outcome: ReportOutcome): void {
    if (this.inFlight.delete(seq)) this.pump();
    const waiter = this.waiters.get(seq);
    this.waiters.delete(seq);
    this.events.onSettled?.(outcome);
    waiter?.(outcome);
  }

  private enqueue(entry: { seq: bigint; frame: Uint8Array }): void {
    if (this.queued.has(entry.seq)) return;
    this.queued.add(entry.seq);
    this.queue.push(entry);
    this.pump();
  }

  /**
   * Sends queued reports: no more than maxInFlight unacknowledged, no faster than the pacer (and
   * a gateway's SlowDown) allows.
   */
  private pump(): void {
    if (this.pacer) return;
    while (
      this.queue.length > 0 &&
      this.transport &&
      this.welcomed &&
      this.inFlight.size < this.flow.maxInFlight
    ) {
      const wait = this.rate.delay();
      if (wait > 0) {
        this.pacer = setTimeout(() => {
          this.pacer = undefined;
          this.pump();
        }, wait);
        return;
      }
      const entry = this.queue.shift()!;
      this.rate.take();
      this.inFlight.set(entry.seq, Date.now());
      this.stats.reportsSent++;
      this.transport.send(entry.frame);
      this.watch();
    }
  }

  /** A report that stays unacknowledged past ackTimeoutMs: this connection is stuck, start over. */
  private watch(): void {
    if (this.watchdog) return;
    this.watchdog = setTimeout(() => {
      this.watchdog = undefined;
      const oldest = Math.min(...this.inFlight.values());
      if (this.inFlight.size > 0 && Date.now() - oldest >= this.flow.ackTimeoutMs) {
        this.stats.ackTimeouts++;
        this.transport?.close({ reconnect: true, floorMs: 0, why: 'reports not acknowledged in time' });
      } else if (this.inFlight.size > 0) {
        this.watch();
      }
    }, this.flow.ackTimeoutMs / 4);
  }
}
