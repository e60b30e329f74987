import { randomUUID } from 'node:crypto';
import { fromJson } from '@bufbuild/protobuf';
import { Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import { signCommand, type KeyRing } from '@muster/command-signing';
import { AgentCommandSchema, contracts, InvalidMessageError, validate } from '@muster/contracts';
import { Outbox, OutboxRelay } from '@muster/persistence';
import { InvalidInputError } from '@muster/runtime';
import { UnitOfWork } from '../unit-of-work.repository.js';
import { COMMAND_KEY_RING } from './command-key-ring.js';

/** The AgentCommand oneof cases an operator may send, by their protobuf JSON names. */
export const COMMAND_CASES = ['runScript', 'stageRelease', 'reboot', 'collectFacts', 'confirmSlot'] as const;

/**
 * Issues an operator's command to an agent: built, signed with the ring's signing key, and
 * published through the outbox on the agent's command subject — the path the scheduler's
 * commands take — so the gateway's own consumer records and delivers it like any other.
 */
@Injectable()
export class CommandIssuer {
  constructor(
    @Inject(UnitOfWork) private readonly uow: UnitOfWork,
    @Inject(Outbox) private readonly outbox: Outbox,
    @Inject(OutboxRelay) private readonly relay: OutboxRelay,
    @Inject(COMMAND_KEY_RING) private readonly ring: KeyRing | undefined,
  ) {}

  async issue(
    agent: { agentId: string; siteId: string },
    command: Record<string, unknown>,
    expiresInSeconds: number,
    issuedBy: string,
  ): Promise<{ commandId: string; expiresAt: Date }> {
    if (!this.ring) {
      throw new ServiceUnavailableException(
        'no command-signing key is configured (MUSTER_COMMAND_SIGNING_KEYS)',
      );
    }
    const cases = Object.keys(command);
    if (cases.length !== 1 || !(COMMAND_CASES as readonly string[]).includes(cases[0]!)) {
      throw InvalidInputError.of('command', 'body', `must hold exactly one of ${COMMAND_CASES.join(', ')}`);
    }
    const commandId = randomUUID();
    const issuedAt = new Date();
    const expiresAt = new Date(issuedAt.getTime() + expiresInSeconds * 1000);
    let built;
    try {
      built = validate(
        AgentCommandSchema,
        fromJson(AgentCommandSchema, {
          commandId,
          agentId: agent.agentId,
          issuedAt: issuedAt.toISOString(),
          expiresAt: expiresAt.toISOString(),
          issuedBy,
          ...(command as Record<string, never>),
        }),
      );
    } catch (err) {
      const reason = err instanceof InvalidMessageError ? err.reason : (err as Error).message;
      throw InvalidInputError.of(`command.${cases[0]!}`, 'body', reason);
    }
    const signed = signCommand(built, this.ring.signing);
    await this.uow.run((manager) =>
      this.outbox.add(manager, contracts.agentCommand, agent, signed, {
        id: commandId,
        about: agent.agentId,
      }),
    );
    this.relay.kick();
    return { commandId, expiresAt };
  }
}
