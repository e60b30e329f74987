import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, nkeyAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import type { StreamSpec } from '@muster/contracts';
import type { StreamLimitOverrides } from './stream-reconcile.js';
import { ensureStreams, type EnsureStreamsOptions } from './stream-setup.js';
import { waitForStreams } from './stream-wait.js';

export interface BusOptions {
  /** nats:// URLs of the cluster. */
  servers: readonly string[];
  /** Shown in the server's connection list: the service and instance. */
  name: string;
  /**
   * The service's NATS user (`SU…`): it signs the server's nonce, and the server grants what
   * that user's permissions allow. Without it the client connects anonymously (test set-up).
   */
  nkeySeed?: string;
  /**
   * Prefix of every reply subject (nats.js `inboxPrefix`), `_INBOX_<service>`: a service's NATS
   * user may read only its own inbox, so no service can read another's replies.
   */
  inboxPrefix?: string;
  /** Streams this service writes into: created or raised before anything is published or consumed. */
  streams?: readonly StreamSpec[];
  /** Streams this service only reads: it waits until their producers have created them. */
  awaitStreams?: readonly StreamSpec[];
  /** Told when the service waits for a stream it reads. */
  onStreamWait?: (stream: string) => void;
  /** Sizes, ages and replicas per stream from configuration (R3 in production); never lowered. */
  streamOverrides?: StreamLimitOverrides;
  /** Told what stream was created or raised, and where a live stream drifted from its declaration. */
  onStreamLog?: EnsureStreamsOptions['onLog'];
  /** Called on every connection status change (disconnect, reconnect, …) for logging. */
  onStatus?: (status: { type: string; detail?: string }) => void;
  /**
   * For a one-shot tool (an operator's command), not a service: fail at once when no server
   * answers instead of waiting for one, and do not reconnect.
   */
  failFast?: boolean;
}

/**
 * One NATS connection per process, shared by every publisher and consumer. Reconnects for
 * ever (unless `failFast`, for tools): a restart of nats-server is a pause, not a failure; JetStream publishes in flight
 * during the outage fail and are retried by their caller (the outbox relay, the consumer).
 */
export class BusConnection {
  private connected = true;
  private constructor(
    readonly nc: NatsConnection,
    readonly js: JetStreamClient,
    readonly jsm: JetStreamManager,
  ) {}

  static async connect(options: BusOptions): Promise<BusConnection> {
    const { servers, login } = splitUrlLogin(options.servers);
    const nc = await connect({
      servers,
      ...login,
      name: options.name,
      ...(options.nkeySeed
        ? { authenticator: nkeyAuthenticator(new TextEncoder().encode(options.nkeySeed)) }
        : {}),
      ...(options.inboxPrefix ? { inboxPrefix: options.inboxPrefix } : {}),
      maxReconnectAttempts: options.failFast ? 0 : -1,
      reconnectTimeWait: 250,
      pingInterval: 10_000,
      waitOnFirstConnect: !options.failFast,
      ...(options.failFast ? { timeout: 5_000 } : {}),
      // The client otherwise builds two Error objects (stack capture) per request — about a
      // sixth of the CPU of a JetStream publish. Our callers log their own context.
      noAsyncTraces: true,
    });
    const jsm = await jetstreamManager(nc);
    const bus = new BusConnection(nc, jetstream(nc), jsm);
    bus.watchStatus(options.onStatus);
    if (options.streams) {
      await ensureStreams(jsm, options.streams, {
        ...(options.streamOverrides ? { overrides: options.streamOverrides } : {}),
        ...(options.onStreamLog ? { onLog: options.onStreamLog } : {}),
      });
    }
    if (options.awaitStreams) {
      await waitForStreams(jsm, options.awaitStreams, {
        ...(options.onStreamWait ? { onWait: options.onStreamWait } : {}),
      });
    }
    return bus;
  }

  /** True while the TCP connection to a server is up. */
  isConnected(): boolean {
    return this.connected && !this.nc.isClosed();
  }

  /** Round trip to the server: what a readiness probe asks. */
  async ping(): Promise<boolean> {
    if (!this.isConnected()) return false;
    try {
      await this.nc.rtt();
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.nc.isClosed()) return;
    await this.nc.drain();
  }

  private watchStatus(onStatus: BusOptions['onStatus']): void {
    void (async () => {
      for await (const status of this.nc.status()) {
        if (status.type === 'disconnect' || status.type === 'close') this.connected = false;
        if (status.type === 'reconnect') this.connected = true;
        const detail = 'server' in status ? String(status.server) : undefined;
        onStatus?.({ type: status.type, ...(detail ? { detail } : {}) });
      }
    })();
  }
}

/**
 * `nats://user:password@host` (the administrator's URL of an operator tool): nats.js reads no
 * login from a server URL, so it is taken out of the URLs and given as `user` and `pass`.
 */
export function splitUrlLogin(urls: readonly string[]): {
  servers: string[];
  login: { user?: string; pass?: string };
} {
  let login: { user?: string; pass?: string } = {};
  const servers = urls.map((url) => {
    const at = /^([a-z]+:\/\/)([^@/]*)@(.*)$/i.exec(url);
    if (!at) return url;
    const [user, pass] = at[2]!.split(':');
    login = {
      user: decodeURIComponent(user ?? ''),
      ...(pass === undefined ? {} : { pass: decodeURIComponent(pass) }),
    };
    return `${at[1]}${at[3]}`;
  });
  return { servers, login };
}
