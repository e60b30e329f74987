import { randomUUID } from 'node:crypto';
import { durationFromMs, timestampFromDate } from '@bufbuild/protobuf/wkt';
import { GoodbyeReason, type AgentFrame, type SignedAgentCommand } from '@muster/contracts';
import type { Logger } from '@muster/observability';
import type { WebSocket } from 'ws';
import type { AuthenticatedAgent } from '../credentials/credentials.repository.js';
import type { GatewaySettings } from '../gateway.config.js';
import type { GatewayMetrics } from '../gateway.metrics.js';
import { claimedAgentId, gatewayFrame, readAgentFrame, seqOf } from './agent-frame.codec.js';
import type { ReportIngest } from './report-ingest.js';
import { TokenBucket } from './token-bucket.js';

/** What a connection needs from the instance that holds it. */
export interface ConnectionHost {
  readonly settings: GatewaySettings;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  readonly ingest: ReportIngest;
  /** The agent's last-seen and last-seq changed: written with the next batch. */
  seen(connection: AgentConnection): void;
  /** The agent has the command (CommandReceipt). */
  receipt(connection: AgentConnection, commandId: string): Promise<void>;
}

/** A second frame naming another agent ends the connection. */
const OTHER_AGENT_STRIKES = 2;
/** Invalid frames tolerated (each refused) before the connection ends. */
const INVALID_STRIKES = 10;
/** How long an agent told to go away waits before it reconnects (with its own jitter). */
const RATE_RECONNECT_AFTER_MS = 30_000;
const STORE_FAILED_RECONNECT_AFTER_MS = 5_000;

/**
 * One agent's live connection. The agent is who its credential says, whatever a frame claims.
 * Frames are handled one after another (an agent's reports keep their order and its seq check
 * needs no lock); different agents' frames run side by side.
 */
export class AgentConnection {
  readonly connectionId = randomUUID();
  readonly connectedAt = new Date();
  /** Highest seq taken from this agent: loaded at connect, raised by each report stored. */
  lastSeq: bigint;
  lastSeen = new Date();
  /** Revision of this connection's presence key, for a delete that cannot remove a newer one. */
  presenceRevision: number | undefined;
  /** Commands sent on this connection (a command is resent only on a later connection). */
  readonly sentCommands = new Set<string>();
  private closed = false;
  private chain: Promise<void> = Promise.resolve();
  private queued = 0;
  private readonly bucket: TokenBucket;
  private overRate = 0;
  private slowDownSent = false;
  private otherAgentStrikes = 0;
  private invalidStrikes = 0;
  private alive = true;

  constructor(
    readonly agent: AuthenticatedAgent,
    private readonly ws: WebSocket,
    private readonly host: ConnectionHost,
  ) {
    this.lastSeq = agent.lastSeq;
    this.bucket = new TokenBucket(host.settings.frameRatePerSecond, host.settings.frameBurst);
    ws.on('message', (data, isBinary) => this.onMessage(data as Buffer, isBinary));
    ws.on('pong', () => (this.alive = true));
  }

  get agentId(): string {
    return this.agent.agentId;
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  welcome(): void {
    const agent = this.agent;
    this.send(
      gatewayFrame({
        frame: {
          case: 'welcome',
          value: {
            agentId: agent.agentId,
            machineId: agent.machineId,
            siteId: agent.siteId,
            lastSeq: this.lastSeq,
            heartbeatInterval: durationFromMs(this.host.settings.heartbeatIntervalSeconds * 1000),
            credentialExpiresAt: timestampFromDate(agent.credentialExpiresAt),
          },
        },
      }),
    );
  }

  sendCommand(command: SignedAgentCommand, commandId: string): void {
    if (this.closed || this.sentCommands.has(commandId)) return;
    this.sentCommands.add(commandId);
    this.send(gatewayFrame({ frame: { case: 'command', value: command } }));
    this.host.metrics.commands.inc({ outcome: 'sent' });
  }

  sendFrame(bytes: Uint8Array): void {
    this.send(bytes);
  }

  /** Says why, then closes; `terminate` drops the socket without waiting for the agent. */
  goodbye(
    reason: GoodbyeReason,
    detail: string,
    options: { reconnectAfterMs?: number; terminate?: boolean } = {},
  ) {
    if (this.closed) return;
    this.closed = true;
    this.host.metrics.disconnects.inc({ reason: GoodbyeReason[reason].toLowerCase() });
    this.host.logger.info({ agentId: this.agentId, reason: GoodbyeReason[reason], detail }, 'agent goodbye');
    const frame = gatewayFrame({
      frame: {
        case: 'goodbye',
        value: {
          reason,
          detail,
          ...(options.reconnectAfterMs ? { reconnectAfter: durationFromMs(options.reconnectAfterMs) } : {}),
        },
      },
    });
    if (options.terminate) {
      this.ws.terminate();
      return;
    }
    this.ws.send(frame);
    this.ws.close(1000, GoodbyeReason[reason]);
  }

  /** The agent closed, or the socket failed: nothing more is sent. */
  markClosed(): void {
    if (!this.closed) this.host.metrics.disconnects.inc({ reason: 'closed' });
    this.closed = true;
  }

  /** Keepalive: a socket that did not answer the last ping is dead. */
  ping(): void {
    if (this.closed) return;
    if (!this.alive) {
      this.host.metrics.disconnects.inc({ reason: 'dead' });
      this.closed = true;
      this.ws.terminate();
      return;
    }
    this.alive = false;
    this.ws.ping();
  }

  /** Called regularly: a credential that expired on a live connection ends it. */
  checkCredential(now: Date): void {
    if (now.getTime() >= this.agent.credentialExpiresAt.getTime()) {
      this.goodbye(GoodbyeReason.CREDENTIAL, 'credential expired: renew it, then reconnect');
    }
  }

  private send(bytes: Uint8Array): void {
    if (this.closed) return;
    this.ws.send(bytes);
    if (this.ws.bufferedAmount > this.host.settings.maxBufferedBytes) {
      this.goodbye(GoodbyeReason.SLOW_CONSUMER, 'frames to the agent were not read', { terminate: true });
    }
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (this.closed) return;
    // Over its rate, a frame is still taken, only later: dropping one would leave a hole in the
    // agent's seqs that a later, stored report would hide (its resend would look like a duplicate).
    const overRate = !this.bucket.take();
    if (overRate) {
      this.overRate++;
      if (this.overRate > this.host.settings.frameBurst) {
        this.host.metrics.framesRefused.inc({ reason: 'rate' });
        this.goodbye(GoodbyeReason.RATE, 'too many frames after SlowDown', {
          reconnectAfterMs: RATE_RECONNECT_AFTER_MS,
        });
        return;
      }
      if (!this.slowDownSent) {
        this.slowDownSent = true;
        this.send(
          gatewayFrame({
            frame: {
              case: 'slowDown',
              value: {
                minReportInterval: durationFromMs(Math.ceil(1000 / this.host.settings.frameRatePerSecond)),
                retryAfter: durationFromMs(RATE_RECONNECT_AFTER_MS),
              },
            },
          }),
        );
      }
    } else {
      this.overRate = Math.max(0, this.overRate - 1);
    }
    if (this.queued >= this.host.settings.frameBurst) {
      this.host.metrics.framesRefused.inc({ reason: 'rate' });
      this.goodbye(GoodbyeReason.RATE, 'too many frames waiting', {
        reconnectAfterMs: RATE_RECONNECT_AFTER_MS,
      });
      return;
    }
    const read = isBinary ? readAgentFrame(data) : ({ kind: 'malformed', reason: 'text frame' } as const);
    if (read.kind === 'malformed') {
      this.host.metrics.framesRefused.inc({ reason: 'malformed' });
      this.goodbye(GoodbyeReason.PROTOCOL, read.reason);
      return;
    }
    if (read.kind === 'invalid') {
      this.host.metrics.framesRefused.inc({ reason: 'invalid' });
      this.refuse(read.seq, read.reason);
      if (++this.invalidStrikes >= INVALID_STRIKES)
        this.goodbye(GoodbyeReason.PROTOCOL, 'too many invalid frames');
      return;
    }
    this.queued++;
    const pace = overRate ? 1000 / this.host.settings.frameRatePerSecond : 0;
    this.chain = this.chain
      .then(() => (pace > 0 ? new Promise<void>((resolve) => setTimeout(resolve, pace)) : undefined))
      .then(() => this.handle(read.frame))
      .catch((err: unknown) => this.host.logger.error({ err, agentId: this.agentId }, 'agent frame failed'))
      .finally(() => this.queued--);
  }

  private async handle(frame: AgentFrame): Promise<void> {
    if (this.closed) return;
    const f = frame.frame;
    this.host.metrics.frames.inc({ kind: f.case ?? 'none' });
    if (f.case === 'commandReceipt') return this.host.receipt(this, f.value.commandId);
    if (f.case !== 'heartbeat' && f.case !== 'status' && f.case !== 'facts') return;
    const seq = seqOf(frame);
    const claimed = claimedAgentId(frame);
    const machine = f.case === 'status' ? undefined : f.value.machineId;
    if (claimed !== this.agentId || (machine !== undefined && machine !== this.agent.machineId)) {
      this.host.metrics.framesRefused.inc({ reason: 'other-agent' });
      this.host.logger.warn(
        { agentId: this.agentId, claimed, machine },
        'frame names another agent or machine',
      );
      this.refuse(
        seq,
        `the frame names agent ${claimed ?? '?'} / machine ${machine ?? '?'}; this connection is ${this.agentId}`,
      );
      if (++this.otherAgentStrikes >= OTHER_AGENT_STRIKES) {
        this.goodbye(GoodbyeReason.PROTOCOL, 'frames name another agent');
      }
      return;
    }
    this.lastSeen = new Date();
    if (seq <= this.lastSeq) {
      this.ack(seq, true, f.case, 'duplicate');
      this.host.seen(this);
      return;
    }
    let duplicate: boolean;
    try {
      ({ duplicate } = await this.host.ingest.store(this.agent.siteId, f));
    } catch (err) {
      // Not stored, so not acknowledged: the agent keeps the report and sends it again. No later
      // report may be taken before it (its resend would then be taken for a duplicate), so the
      // connection ends here and the agent resends from Welcome.last_seq on its next one.
      this.host.logger.warn({ err, agentId: this.agentId, seq: String(seq) }, 'report not stored');
      this.host.metrics.framesRefused.inc({ reason: 'not-stored' });
      this.goodbye(GoodbyeReason.UNSPECIFIED, 'a report could not be stored: reconnect and send it again', {
        reconnectAfterMs: STORE_FAILED_RECONNECT_AFTER_MS,
      });
      return;
    }
    if (seq > this.lastSeq) this.lastSeq = seq;
    this.host.seen(this);
    this.ack(seq, duplicate, f.case, duplicate ? 'duplicate' : 'stored');
  }

  private ack(seq: bigint, duplicate: boolean, kind: string, outcome: string): void {
    this.host.metrics.reports.inc({ kind, outcome });
    this.send(gatewayFrame({ frame: { case: 'ack', value: { seq, duplicate } } }));
  }

  private refuse(seq: bigint, reason: string): void {
    this.send(gatewayFrame({ frame: { case: 'refused', value: { seq, reason: reason.slice(0, 1000) } } }));
  }
}
