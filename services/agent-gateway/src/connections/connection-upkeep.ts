import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { LOGGER, type Logger } from '@muster/observability';
import { AgentsRepository } from '../agents/agents.repository.js';
import { CommandsRepository } from '../commands/commands.repository.js';
import { CredentialsRepository } from '../credentials/credentials.repository.js';
import { GATEWAY_SETTINGS, type GatewaySettings } from '../gateway.config.js';
import { PresenceStore } from '../presence/presence.store.js';
import { AgentSocketServer } from './agent-socket.server.js';
import { ConnectionRegistry } from './connection-registry.js';

const REVOCATION_POLL_MS = 5_000;
const CREDENTIAL_CHECK_MS = 1_000;
/** A revocation committed late still has a revoked_at inside this margin of the last poll. */
const REVOCATION_MARGIN_MS = 60_000;
const EXPIRE_COMMANDS_MS = 30_000;
const FLUSH_CHUNK = 5_000;
const PRESENCE_CONCURRENCY = 64;

/**
 * The instance's timers over its connections: keepalive pings, credential expiry, presence
 * refresh, the batched write of last-seen/last-seq, the revocation backstop, command expiry.
 * Each is safe on every instance at once (idempotent writes, or only this instance's agents).
 */
@Injectable()
export class ConnectionUpkeep implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly timers: NodeJS.Timeout[] = [];
  private revokedAfter: Date | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    @Inject(GATEWAY_SETTINGS) private readonly settings: GatewaySettings,
    @Inject(ConnectionRegistry) private readonly registry: ConnectionRegistry,
    @Inject(AgentSocketServer) private readonly server: AgentSocketServer,
    @Inject(AgentsRepository) private readonly agents: AgentsRepository,
    @Inject(CredentialsRepository) private readonly credentials: CredentialsRepository,
    @Inject(CommandsRepository) private readonly commands: CommandsRepository,
    @Inject(PresenceStore) private readonly presence: PresenceStore,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const every = (ms: number, task: () => Promise<void> | void, what: string) => {
      const timer = setInterval(() => {
        void Promise.resolve()
          .then(task)
          .catch((err: unknown) => this.logger.warn({ err }, `${what} failed; next round retries`));
      }, ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(Math.max(5, this.settings.heartbeatIntervalSeconds) * 1000, () => this.ping(), 'keepalive');
    every(CREDENTIAL_CHECK_MS, () => this.checkCredentials(), 'credential expiry');
    every(this.settings.flushIntervalMs, () => this.flush(), 'last-seen flush');
    every(this.settings.presenceRefreshSeconds * 1000, () => this.refreshPresence(), 'presence refresh');
    every(REVOCATION_POLL_MS, () => this.pollRevocations(), 'revocation poll');
    every(EXPIRE_COMMANDS_MS, async () => void (await this.commands.expireDue()), 'command expiry');
  }

  async beforeApplicationShutdown(): Promise<void> {
    for (const t of this.timers.splice(0)) clearInterval(t);
    await this.server.beforeApplicationShutdown();
    await this.flush();
  }

  /** Writes what connections learned since the last flush, a chunk per statement. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      const seen = this.registry.takeSeen();
      for (let i = 0; i < seen.length; i += FLUSH_CHUNK) {
        const chunk = seen.slice(i, i + FLUSH_CHUNK);
        try {
          await this.agents.flushSeen(chunk);
        } catch (err) {
          this.registry.restoreSeen(seen.slice(i));
          throw err;
        }
      }
    });
    return this.flushing;
  }

  private ping(): void {
    for (const connection of this.registry.all()) connection.ping();
  }

  private checkCredentials(): void {
    const now = new Date();
    for (const connection of this.registry.all()) connection.checkCredential(now);
  }

  private async refreshPresence(): Promise<void> {
    const held = [...this.registry.all()];
    for (let i = 0; i < held.length; i += PRESENCE_CONCURRENCY) {
      await Promise.all(
        held.slice(i, i + PRESENCE_CONCURRENCY).map(async (c) => {
          if (!c.isOpen) return;
          c.presenceRevision = await this.presence.put(c.agent.siteId, c.agentId, {
            instanceId: this.settings.instanceId,
            connectionId: c.connectionId,
            connectedAt: c.connectedAt.toISOString(),
          });
        }),
      );
    }
  }

  /** The backstop of the revocation signal: credentials revoked lately end their connections. */
  private async pollRevocations(): Promise<void> {
    const since = new Date((this.revokedAfter ?? new Date()).getTime() - REVOCATION_MARGIN_MS);
    const { credentialIds, now } = await this.credentials.revokedSince(since);
    this.revokedAfter = now;
    if (credentialIds.length > 0) this.server.closeRevoked([], credentialIds, false);
  }
}
