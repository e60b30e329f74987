import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import { Inject, Injectable } from '@nestjs/common';
import { CommandRefusedError, verifyCommand, type KeyRing } from '@muster/command-signing';
import {
  AgentCommandSchema,
  contracts,
  SignedAgentCommandSchema,
  type AgentCommand,
  type SignedAgentCommand,
} from '@muster/contracts';
import { OnEvent, type Delivery } from '@muster/messaging';
import { LOGGER, type Logger } from '@muster/observability';
import { CommandDelivery } from './command-delivery.js';
import { COMMAND_KEY_RING } from './command-key-ring.js';
import { CommandsRepository, type RecordedCommand } from './commands.repository.js';
import { ConnectionRegistry } from '../connections/connection-registry.js';
import { GatewaySignals } from '../connections/gateway-signals.js';
import { GATEWAY_SETTINGS, type GatewaySettings } from '../gateway.config.js';
import { GatewayMetrics } from '../gateway.metrics.js';
import { PresenceStore } from '../presence/presence.store.js';

export const COMMAND_CONSUMER = 'agent-gateway-agent-command';

const SUBJECT = /^muster\.site\.([^.]+)\.agent\.([^.]+)\.command\.v\d+$/;

/**
 * Takes every command off the bus (the scheduler's and operators'), checks it the way the agent
 * will — a trusted key, a valid signature, for this agent, not expired — and records it once
 * (by command id): pending, or refused with the reason. A pending command is then handed to
 * the instance that holds the agent's connection, if any; otherwise it waits for the connect.
 * (A command with no signature at all breaks the contract's rules and goes to dead letter
 * before it gets here.)
 */
@Injectable()
export class AgentCommandHandlers {
  constructor(
    @Inject(CommandsRepository) private readonly commands: CommandsRepository,
    @Inject(CommandDelivery) private readonly delivery: CommandDelivery,
    @Inject(ConnectionRegistry) private readonly registry: ConnectionRegistry,
    @Inject(PresenceStore) private readonly presence: PresenceStore,
    @Inject(GatewaySignals) private readonly signals: GatewaySignals,
    @Inject(GATEWAY_SETTINGS) private readonly settings: GatewaySettings,
    @Inject(COMMAND_KEY_RING) private readonly ring: KeyRing | undefined,
    @Inject(GatewayMetrics) private readonly metrics: GatewayMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @OnEvent(contracts.agentCommand, { durable: COMMAND_CONSUMER, batchSize: 50 })
  async onCommands(deliveries: readonly Delivery<SignedAgentCommand>[]): Promise<void> {
    for (const d of deliveries) {
      const [, siteId, agentId] = SUBJECT.exec(d.subject) ?? [];
      if (!siteId || !agentId) continue; // the stream's subjects make this unreachable
      const row = this.check(d, siteId, agentId);
      const fresh = await this.commands.record(row);
      if (fresh) this.metrics.commands.inc({ outcome: row.state });
      if (!fresh) {
        // A redelivery (say routing failed the first time): route again; a connection never
        // gets the same command twice, and a delivered one is no longer pending.
        if (row.state === 'pending') await this.route(siteId, agentId);
        continue;
      }
      if (row.state === 'refused') {
        this.logger.warn(
          { commandId: row.commandId, agentId, refusal: row.refusal },
          'agent command refused',
        );
        continue;
      }
      await this.route(siteId, agentId);
    }
  }

  private check(d: Delivery<SignedAgentCommand>, siteId: string, agentId: string): RecordedCommand {
    const signed = d.message;
    const readable = readCommand(signed);
    const base = {
      // Refusals are kept by message id: a forged copy of a good command's id cannot take its place.
      commandId: d.meta.id,
      agentId,
      siteId,
      kind: readable?.command.case ?? 'unknown',
      issuedBy: readable?.issuedBy ?? '',
      issuedAt: readable?.issuedAt ? timestampDate(readable.issuedAt) : null,
      expiresAt: readable?.expiresAt ? timestampDate(readable.expiresAt) : null,
      signed: toBinary(SignedAgentCommandSchema, signed),
    };
    if (!this.ring)
      return {
        ...base,
        state: 'refused',
        refusal: 'no-trusted-keys: MUSTER_COMMAND_SIGNING_KEYS is not set',
      };
    try {
      const command = verifyCommand(signed, this.ring.trusted, agentId);
      return { ...base, commandId: command.commandId, state: 'pending', refusal: null };
    } catch (err) {
      if (!(err instanceof CommandRefusedError)) throw err;
      return { ...base, state: 'refused', refusal: `${err.refusal}: ${err.message}` };
    }
  }

  /** To whichever instance holds the agent; nobody holds it: it waits for the connect. */
  private async route(siteId: string, agentId: string): Promise<void> {
    const local = this.registry.get(agentId);
    if (local) return this.delivery.sendPending(local);
    const holder = await this.presence.get(siteId, agentId);
    if (holder && holder.instanceId !== this.settings.instanceId)
      this.signals.deliver(holder.instanceId, { agentId });
  }
}

/** The command inside, for the record; undefined when the bytes are no AgentCommand. */
function readCommand(signed: SignedAgentCommand): AgentCommand | undefined {
  try {
    return fromBinary(AgentCommandSchema, signed.command);
  } catch {
    return undefined;
  }
}
