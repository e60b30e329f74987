import { create, fromBinary, toBinary, type MessageInitShape } from '@bufbuild/protobuf';
import {
  AgentFrameSchema,
  GatewayFrameSchema,
  InvalidMessageError,
  validate,
  type GatewayFrame,
} from '@muster/contracts';

/** Encodes one frame to the gateway, validated against the contract's rules first. */
export function encodeAgentFrame(init: MessageInitShape<typeof AgentFrameSchema>): Uint8Array {
  return toBinary(AgentFrameSchema, validate(AgentFrameSchema, create(AgentFrameSchema, init)));
}

export type DecodedGatewayFrame =
  | { readonly kind: 'valid'; readonly frame: GatewayFrame }
  /** Decodes but breaks a rule (e.g. a command whose signature is not 64 bytes). */
  | { readonly kind: 'invalid'; readonly frame: GatewayFrame; readonly reason: string }
  | { readonly kind: 'malformed'; readonly reason: string };

/**
 * Decodes a frame from the gateway. A frame that decodes but breaks a rule is returned with the
 * reason rather than thrown away, so that a command with a missing signature is counted as a
 * refused command, not as line noise.
 */
export function decodeGatewayFrame(bytes: Uint8Array): DecodedGatewayFrame {
  let frame: GatewayFrame;
  try {
    frame = fromBinary(GatewayFrameSchema, bytes);
  } catch (err) {
    return { kind: 'malformed', reason: `does not decode: ${(err as Error).message}` };
  }
  try {
    return { kind: 'valid', frame: validate(GatewayFrameSchema, frame) };
  } catch (err) {
    if (err instanceof InvalidMessageError) return { kind: 'invalid', frame, reason: err.reason };
    throw err;
  }
}
