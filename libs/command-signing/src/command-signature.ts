import { sign, verify } from 'node:crypto';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import {
  AgentCommandSchema,
  SignedAgentCommandSchema,
  type AgentCommand,
  type SignedAgentCommand,
} from '@muster/contracts';
import type { SigningKey, TrustedKey } from './signing-key.js';

/** The domain prefix of every command signature (proto/muster/agent/v1/signed_command.proto). */
const DOMAIN = Buffer.from('muster.agent.command.v1\0', 'utf8');

function signedBytes(command: Uint8Array): Buffer {
  return Buffer.concat([DOMAIN, command]);
}

/** Serializes and signs a command with the ring's signing key. */
export function signCommand(command: AgentCommand, key: SigningKey): SignedAgentCommand {
  const bytes = toBinary(AgentCommandSchema, command);
  return create(SignedAgentCommandSchema, {
    command: bytes,
    keyId: key.keyId,
    signature: new Uint8Array(sign(null, signedBytes(bytes), key.privateKey)),
  });
}

export type CommandRefusal = 'unknown-key' | 'bad-signature' | 'malformed' | 'other-agent' | 'expired';

export class CommandRefusedError extends Error {
  override readonly name = 'CommandRefusedError';
  constructor(
    readonly refusal: CommandRefusal,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Checks a signed command the way an agent must, in the contract's order: a trusted key id, a
 * valid signature over the exact bytes, a decodable command for this agent, not expired. Returns
 * the command; throws CommandRefusedError naming what failed. (Running a command_id at most once
 * is the agent's own record.)
 */
export function verifyCommand(
  signed: SignedAgentCommand,
  trusted: readonly TrustedKey[],
  agentId: string,
  now: Date = new Date(),
): AgentCommand {
  const key = trusted.find((k) => k.keyId === signed.keyId);
  if (!key)
    throw new CommandRefusedError(
      'unknown-key',
      `command signed by key ${JSON.stringify(signed.keyId)}, which is not trusted`,
    );
  if (
    signed.signature.length !== 64 ||
    !verify(null, signedBytes(signed.command), key.publicKey, signed.signature)
  ) {
    throw new CommandRefusedError(
      'bad-signature',
      `command signature does not verify with key ${signed.keyId}`,
    );
  }
  let command: AgentCommand;
  try {
    command = fromBinary(AgentCommandSchema, signed.command);
  } catch (err) {
    throw new CommandRefusedError(
      'malformed',
      `signed bytes are not an AgentCommand: ${(err as Error).message}`,
    );
  }
  if (command.agentId !== agentId) {
    throw new CommandRefusedError('other-agent', `command is for agent ${command.agentId}, not ${agentId}`);
  }
  if (!command.expiresAt || timestampDate(command.expiresAt).getTime() <= now.getTime()) {
    throw new CommandRefusedError('expired', `command ${command.commandId} expired`);
  }
  return command;
}
