import { create, fromBinary, toBinary, type MessageInitShape } from '@bufbuild/protobuf';
import {
  AgentFrameSchema,
  GatewayFrameSchema,
  InvalidMessageError,
  validate,
  type AgentFrame,
} from '@muster/contracts';

export type ReadFrame =
  | { kind: 'frame'; frame: AgentFrame }
  /** Decodes but breaks a rule of the contract: refused by seq (0 when it has none). */
  | { kind: 'invalid'; seq: bigint; reason: string }
  /** Not an AgentFrame at all. */
  | { kind: 'malformed'; reason: string };

/** The seq a report carries, whichever kind it is; 0 for a frame without one. */
export function seqOf(frame: AgentFrame): bigint {
  const f = frame.frame;
  return f.case === 'heartbeat' || f.case === 'status' || f.case === 'facts' ? f.value.seq : 0n;
}

/** The agent id a report claims (a frame never decides who the agent is: the credential does). */
export function claimedAgentId(frame: AgentFrame): string | undefined {
  const f = frame.frame;
  return f.case === 'heartbeat' || f.case === 'status' || f.case === 'facts' ? f.value.agentId : undefined;
}

export function readAgentFrame(bytes: Uint8Array): ReadFrame {
  let frame: AgentFrame;
  try {
    frame = fromBinary(AgentFrameSchema, bytes);
  } catch (err) {
    return { kind: 'malformed', reason: `not an AgentFrame: ${(err as Error).message}` };
  }
  try {
    return { kind: 'frame', frame: validate(AgentFrameSchema, frame) };
  } catch (err) {
    if (!(err instanceof InvalidMessageError)) throw err;
    return { kind: 'invalid', seq: seqOf(frame), reason: err.reason };
  }
}

/** Encodes a frame for the agent; gateway frames are built here only, so they are always valid. */
export function gatewayFrame(init: MessageInitShape<typeof GatewayFrameSchema>): Uint8Array {
  return toBinary(GatewayFrameSchema, create(GatewayFrameSchema, init));
}
