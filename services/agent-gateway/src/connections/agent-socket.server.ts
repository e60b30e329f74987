import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { GoodbyeReason } from '@muster/contracts';
import { LOGGER, type Logger } from '@muster/observability';
import { WebSocketServer, type WebSocket } from 'ws';
import { AgentsRepository } from '../agents/agents.repository.js';
import { CommandDelivery } from '../commands/command-delivery.js';
import { CredentialsRepository, type AuthenticatedAgent } from '../credentials/credentials.repository.js';
import { checkConnectProof } from '../enrollment/agent-proof.js';
import { GATEWAY_SETTINGS, type GatewaySettings } from '../gateway.config.js';
import { GatewayMetrics } from '../gateway.metrics.js';
import { PresenceStore } from '../presence/presence.store.js';
import { AgentConnection, type ConnectionHost } from './agent-connection.js';
import { ConnectionRegistry } from './connection-registry.js';
import { DesiredStateSender } from './desired-state.js';
import { GatewaySignals, type ControlSignal } from './gateway-signals.js';
import { ReportIngest } from './report-ingest.js';

export const CONNECT_PATH = '/v1/agent/connect';

class Refusal extends Error {
  constructor(
    readonly status: 401 | 403 | 404 | 503,
    readonly reason: string,
    readonly detail: string,
  ) {
    super(detail);
  }
}

/**
 * `GET /v1/agent/connect`: the agents' WebSocket, on the service's own HTTP server (the upgrade
 * bypasses the HTTP edge and its routes). The credential and its proof are checked before the
 * upgrade, so a refused agent gets a plain HTTP 401/403 and never a socket.
 */
@Injectable()
export class AgentSocketServer implements OnApplicationBootstrap, BeforeApplicationShutdown, ConnectionHost {
  private wss: WebSocketServer | undefined;
  private server: Server | undefined;
  private shuttingDown = false;
  private stopping: Promise<void> | undefined;
  private readonly upgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) =>
    void this.onUpgrade(req, socket, head);

  constructor(
    @Inject(GATEWAY_SETTINGS) readonly settings: GatewaySettings,
    @Inject(GatewayMetrics) readonly metrics: GatewayMetrics,
    @Inject(LOGGER) readonly logger: Logger,
    @Inject(ReportIngest) readonly ingest: ReportIngest,
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Inject(CredentialsRepository) private readonly credentials: CredentialsRepository,
    @Inject(AgentsRepository) private readonly agents: AgentsRepository,
    @Inject(ConnectionRegistry) private readonly registry: ConnectionRegistry,
    @Inject(PresenceStore) private readonly presence: PresenceStore,
    @Inject(GatewaySignals) private readonly signals: GatewaySignals,
    @Inject(CommandDelivery) private readonly delivery: CommandDelivery,
    @Inject(DesiredStateSender) private readonly desired: DesiredStateSender,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: this.settings.maxFrameBytes });
    this.server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    this.server.on('upgrade', this.upgradeListener);
    await this.signals.listen(
      this.settings.instanceId,
      (signal) => this.onControl(signal),
      (signal) => {
        const connection = this.registry.get(signal.agentId);
        if (connection) void this.sendPending(connection);
      },
    );
  }

  /** Every agent is told SHUTDOWN (another instance will take it), its presence removed, last-seen flushed. */
  beforeApplicationShutdown(): Promise<void> {
    this.stopping ??= this.stop();
    return this.stopping;
  }

  private async stop(): Promise<void> {
    this.shuttingDown = true;
    this.server?.off('upgrade', this.upgradeListener);
    const held = [...this.registry.all()];
    for (const connection of held) {
      connection.goodbye(GoodbyeReason.SHUTDOWN, 'gateway instance stopping', { reconnectAfterMs: 1_000 });
    }
    await Promise.allSettled(held.map((c) => this.release(c)));
    this.wss?.close();
  }

  seen(connection: AgentConnection): void {
    this.registry.seen(connection);
  }

  receipt(connection: AgentConnection, commandId: string): Promise<void> {
    return this.delivery.receipt(connection, commandId);
  }

  /** Revoked credentials end their connections here; the control signal reaches the other instances. */
  closeRevoked(agentIds: readonly string[], credentialIds: readonly string[], broadcast: boolean): void {
    if (broadcast)
      this.signals.control({ type: 'revoked', agentIds: [...agentIds], credentialIds: [...credentialIds] });
    const credentials = new Set(credentialIds);
    for (const connection of this.registry.all()) {
      if (agentIds.includes(connection.agentId) || credentials.has(connection.agent.credentialId)) {
        connection.goodbye(GoodbyeReason.CREDENTIAL, 'credential revoked: enroll again');
      }
    }
  }

  private onControl(signal: ControlSignal): void {
    if (signal.type === 'revoked') return this.closeRevoked(signal.agentIds, signal.credentialIds, false);
    if (signal.instanceId === this.settings.instanceId) return;
    const local = this.registry.get(signal.agentId);
    if (local && local.connectionId !== signal.connectionId) {
      local.goodbye(GoodbyeReason.SUPERSEDED, `the agent connected again to ${signal.instanceId}`);
    }
  }

  private async onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    try {
      const agent = await this.authenticate(req);
      this.wss!.handleUpgrade(req, socket, head, (ws) => void this.onOpen(ws, agent));
    } catch (err) {
      const refusal =
        err instanceof Refusal
          ? err
          : new Refusal(503, 'unavailable', 'the gateway cannot check credentials now');
      if (err instanceof Refusal)
        this.logger.info({ reason: refusal.reason, status: refusal.status }, 'agent connection refused');
      else this.logger.error({ err }, 'agent connection check failed');
      this.metrics.connectRefused.inc({ reason: refusal.reason });
      refuse(socket, refusal);
    }
  }

  private async authenticate(req: IncomingMessage): Promise<AuthenticatedAgent> {
    if (new URL(req.url ?? '/', 'http://gateway').pathname !== CONNECT_PATH) {
      throw new Refusal(404, 'not-found', `WebSocket connections are served at ${CONNECT_PATH} only`);
    }
    if (this.shuttingDown) throw new Refusal(503, 'shutting-down', 'this gateway instance is stopping');
    const bearer = /^Bearer (\S{16,4096})$/.exec(req.headers.authorization ?? '')?.[1];
    if (!bearer) throw new Refusal(401, 'no-credential', 'Authorization: Bearer <credential> is required');
    const found = await this.credentials.authenticate(bearer);
    if ('refused' in found) {
      throw found.refused === 'revoked'
        ? new Refusal(403, 'revoked', 'the credential was revoked: enroll again')
        : new Refusal(
            401,
            found.refused,
            `the credential is ${found.refused === 'expired' ? 'expired: renew it' : 'not valid'}`,
          );
    }
    const proof = req.headers['x-muster-proof'];
    const checked = checkConnectProof(typeof proof === 'string' ? proof : undefined, bearer, found.publicKey);
    if (!checked.ok) throw new Refusal(401, 'bad-proof', checked.reason);
    return found;
  }

  private async onOpen(ws: WebSocket, agent: AuthenticatedAgent): Promise<void> {
    const connection = new AgentConnection(agent, ws, this);
    this.metrics.connections.inc();
    ws.on('close', () => void this.onClose(connection));
    ws.on('error', (err) => {
      // ws closes the socket itself (1009 for a frame over maxPayload, 1002 for a broken frame).
      const oversized = (err as { code?: string }).code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';
      this.metrics.framesRefused.inc({ reason: oversized ? 'oversized' : 'websocket' });
      this.logger.info({ agentId: agent.agentId, err: err.message }, 'agent socket error');
    });
    const previous = this.registry.add(connection);
    if (previous) {
      if (previous.lastSeq > connection.lastSeq) connection.lastSeq = previous.lastSeq;
      previous.goodbye(GoodbyeReason.SUPERSEDED, 'the agent connected again');
    }
    connection.welcome();
    this.signals.control({
      type: 'connected',
      agentId: agent.agentId,
      instanceId: this.settings.instanceId,
      connectionId: connection.connectionId,
    });
    try {
      // Presence is written before the pending commands are read, and a command is recorded
      // before its router reads presence: whichever comes second sees the other.
      connection.presenceRevision = await this.presence.put(agent.siteId, agent.agentId, {
        instanceId: this.settings.instanceId,
        connectionId: connection.connectionId,
        connectedAt: connection.connectedAt.toISOString(),
      });
      await this.agents.markConnected(agent.agentId, this.settings.instanceId);
      if (!connection.isOpen) {
        // It closed while presence was being written: undo what its close could not see.
        await this.presence.remove(agent.siteId, agent.agentId, connection.presenceRevision);
        if (!this.registry.get(agent.agentId))
          await this.agents.markDisconnected(agent.agentId, this.settings.instanceId);
        return;
      }
      await this.sendPending(connection);
    } catch (err) {
      this.logger.warn(
        { err, agentId: agent.agentId },
        'agent connected without presence or pending commands',
      );
    }
    void this.desired.sendTo(connection);
  }

  private async sendPending(connection: AgentConnection): Promise<void> {
    try {
      await this.delivery.sendPending(connection);
    } catch (err) {
      this.logger.warn({ err, agentId: connection.agentId }, 'pending commands not sent');
    }
  }

  private async onClose(connection: AgentConnection): Promise<void> {
    connection.markClosed();
    this.metrics.connections.dec();
    await this.release(connection);
  }

  /** Forgets a closed connection: its presence key (unless rewritten since) and holder mark. */
  private async release(connection: AgentConnection): Promise<void> {
    if (!this.registry.remove(connection)) return;
    this.registry.seen(connection);
    try {
      if (connection.presenceRevision !== undefined) {
        await this.presence.remove(connection.agent.siteId, connection.agentId, connection.presenceRevision);
      }
      await this.agents.markDisconnected(connection.agentId, this.settings.instanceId);
    } catch (err) {
      this.logger.warn({ err, agentId: connection.agentId }, 'presence of a closed connection not removed');
    }
  }
}

function refuse(socket: Duplex, refusal: Refusal): void {
  const body = JSON.stringify({
    type: 'about:blank',
    title: STATUS_CODES[refusal.status],
    status: refusal.status,
    detail: refusal.detail,
  });
  socket.end(
    `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status]}\r\n` +
      'Content-Type: application/problem+json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}
