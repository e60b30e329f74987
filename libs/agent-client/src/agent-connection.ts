import { durationMs } from '@bufbuild/protobuf/wkt';
import WebSocket from 'ws';
import type { AgentKey } from './agent-key.js';
import type { AgentSession, CloseRequest, HeartbeatInit } from './agent-session.js';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy, type RandomSource } from './backoff.js';
import { connectProofHeader } from './proofs.js';

export const CONNECT_PATH = '/v1/agent/connect';

export type ConnectionState = 'idle' | 'connecting' | 'open' | 'waiting' | 'stopped';

/** Why the connection stopped for good: the owner must renew or enroll before a new one. */
export type StopReason = 'stopped' | 'credential' | 'superseded';

export interface AgentConnectionOptions {
  /** Gateway base URLs (http(s)://host:port); each reconnect tries the next one. */
  readonly urls: readonly string[];
  /** Index of the first URL to try (spreads a fleet over the gateways). */
  readonly firstUrl?: number;
  /** The current credential (renewal replaces it). */
  readonly credential: () => string;
  readonly key: AgentKey;
  readonly session: AgentSession;
  /** Source address of the TCP connection (a loopback alias in the simulator). */
  readonly localAddress?: string;
  readonly random?: RandomSource;
  readonly backoff?: BackoffPolicy;
  /** Overrides the Welcome's heartbeat_interval. */
  readonly heartbeatIntervalMs?: number;
  /** Fields of each automatic heartbeat; without it, the owner sends heartbeats itself. */
  readonly heartbeat?: () => HeartbeatInit;
  /** Largest frame accepted from the gateway. */
  readonly maxPayloadBytes?: number;
  readonly onStop?: (reason: StopReason, detail: string) => void;
  readonly onError?: (err: unknown) => void;
}

export interface ConnectionStats {
  attempts: number;
  opened: number;
  /** Upgrade refused by HTTP status, by code. */
  httpRefusals: Record<number, number>;
  heartbeatsSkipped: number;
}

/**
 * One agent's WebSocket to a gateway, kept up for ever: on any loss it reconnects after a
 * full-jitter exponential back-off (reset by a Welcome, never sooner than a gateway's
 * reconnect_after or retry_after), to the next gateway URL in turn. Stops only when told to,
 * or when the gateway refuses the credential or says the agent connected elsewhere.
 */
export class AgentConnection {
  readonly stats: ConnectionStats = { attempts: 0, opened: 0, httpRefusals: {}, heartbeatsSkipped: 0 };
  private state: ConnectionState = 'idle';
  private socket: WebSocket | undefined;
  private urlIndex: number;
  private attempt = 0;
  private floorMs = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private readonly random: RandomSource;
  private stopped: Promise<void> | undefined;
  private resolveStopped: (() => void) | undefined;

  constructor(private readonly options: AgentConnectionOptions) {
    if (options.urls.length === 0) throw new RangeError('an agent needs at least one gateway URL');
    this.urlIndex = (options.firstUrl ?? 0) % options.urls.length;
    this.random = options.random ?? Math.random;
  }

  get currentState(): ConnectionState {
    return this.state;
  }

  /** The gateway URL of the current (or next) connection. */
  get currentUrl(): string {
    return this.options.urls[this.urlIndex]!;
  }

  start(): void {
    if (this.state !== 'idle') return;
    this.open();
  }

  /** Closes the connection and stops reconnecting; unacknowledged reports stay in the journal. */
  async stop(): Promise<void> {
    this.finish('stopped', 'stopped by its owner');
    const socket = this.socket;
    if (!socket || socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => socket.terminate(), 2_000);
      socket.once('close', () => {
        clearTimeout(force);
        resolve();
      });
      socket.close(1000, 'agent stopping');
    });
  }

  /** Resolves when the connection stopped for good. */
  whenStopped(): Promise<void> {
    this.stopped ??= new Promise((resolve) => {
      if (this.state === 'stopped') resolve();
      else this.resolveStopped = resolve;
    });
    return this.stopped;
  }

  private open(): void {
    this.state = 'connecting';
    this.stats.attempts++;
    const credential = this.options.credential();
    const url = `${this.currentUrl.replace(/^http/, 'ws').replace(/\/$/, '')}${CONNECT_PATH}`;
    const socket = new WebSocket(url, {
      headers: {
        authorization: `Bearer ${credential}`,
        'x-muster-proof': connectProofHeader(this.options.key, credential),
      },
      perMessageDeflate: false,
      handshakeTimeout: 15_000,
      maxPayload: this.options.maxPayloadBytes ?? 1024 * 1024,
      ...(this.options.localAddress ? { localAddress: this.options.localAddress } : {}),
    });
    this.socket = socket;
    let httpStatus: number | undefined;
    let request: CloseRequest | undefined;
    const session = this.options.session;
    socket.on('open', () => {
      this.state = 'open';
      this.stats.opened++;
      session.attach({
        send: (bytes) => {
          if (socket.readyState === WebSocket.OPEN) socket.send(bytes, { binary: true });
        },
        close: (r) => {
          request = r;
          socket.close(1000, r.why.slice(0, 100));
        },
      });
      void session.welcome().then(() => {
        if (this.socket !== socket || this.state !== 'open') return;
        this.attempt = 0;
        this.startHeartbeats();
      });
    });
    socket.on('message', (data, isBinary) => {
      if (!isBinary) return;
      session.receive(toBytes(data));
    });
    socket.on('error', (err) => {
      // ws reports a refused upgrade as this error (then closes): the status is in its message.
      const refused = /^Unexpected server response: (\d+)$/.exec(err.message);
      if (refused) {
        httpStatus = Number(refused[1]);
        this.stats.httpRefusals[httpStatus] = (this.stats.httpRefusals[httpStatus] ?? 0) + 1;
      } else {
        this.options.onError?.(err);
      }
    });
    let closed = false;
    socket.on('close', () => {
      if (closed) return;
      closed = true;
      if (this.socket === socket) this.socket = undefined;
      this.stopHeartbeats();
      session.detach();
      if (this.state === 'stopped') return;
      if (httpStatus === 401 || httpStatus === 403) {
        this.finish('credential', `the gateway refused the credential (HTTP ${httpStatus})`);
        return;
      }
      if (request && !request.reconnect) {
        this.finish(request.why, request.detail);
        return;
      }
      this.floorMs = Math.max(request?.reconnect ? request.floorMs : 0, session.reconnectFloorMs);
      this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    this.state = 'waiting';
    const delay = backoffDelay(
      this.attempt,
      this.random,
      this.options.backoff ?? DEFAULT_BACKOFF,
      this.floorMs,
    );
    this.attempt++;
    this.floorMs = 0;
    this.urlIndex = (this.urlIndex + 1) % this.options.urls.length;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.state === 'waiting') this.open();
    }, delay);
  }

  private startHeartbeats(): void {
    const build = this.options.heartbeat;
    if (!build) return;
    const welcomed = this.options.session.lastWelcome?.heartbeatInterval;
    const asked = this.options.heartbeatIntervalMs ?? (welcomed ? durationMs(welcomed) : 0);
    const interval = asked > 0 ? asked : 60_000;
    const beat = () => {
      if (!this.options.session.isWelcomed) return;
      this.options.session.heartbeat(build()).catch((err: unknown) => {
        // A full outbox: this beat is skipped; the next one says the same thing.
        this.stats.heartbeatsSkipped++;
        if (!(err instanceof Error && err.name === 'OutboxFullError')) this.options.onError?.(err);
      });
    };
    // A random phase: a fleet that reconnects together does not beat together.
    this.heartbeatTimer = setTimeout(
      () => {
        beat();
        this.heartbeatTimer = setInterval(beat, interval);
      },
      Math.floor(this.random() * interval),
    );
  }

  private stopHeartbeats(): void {
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  private finish(reason: StopReason, detail: string): void {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.stopHeartbeats();
    if (reason !== 'stopped') this.options.onStop?.(reason, detail);
    this.resolveStopped?.();
  }
}

function toBytes(data: WebSocket.RawData): Uint8Array {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return new Uint8Array(data);
}
