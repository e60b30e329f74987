import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { timestampNow } from '@bufbuild/protobuf/wkt';
import { describe, expect, it } from 'vitest';
import { AgentFrameSchema, GatewayFrameSchema, GoodbyeReason } from '@muster/contracts';
import { claimedAgentId, gatewayFrame, readAgentFrame, seqOf } from './agent-frame.codec.js';

const heartbeat = (seq: bigint, agentId = 'agent-1') =>
  toBinary(
    AgentFrameSchema,
    create(AgentFrameSchema, {
      frame: {
        case: 'heartbeat',
        value: {
          agentId,
          machineId: '0b0e5d4e-5a4c-4d3b-9a1e-2f1d3c4b5a69',
          seq,
          sentAt: timestampNow(),
          agentVersion: '1.0.0',
        },
      },
    }),
  );

describe('readAgentFrame', () => {
  it('reads a valid frame with its seq and claimed agent id', () => {
    const read = readAgentFrame(heartbeat(7n));
    expect(read.kind).toBe('frame');
    if (read.kind !== 'frame') return;
    expect(seqOf(read.frame)).toBe(7n);
    expect(claimedAgentId(read.frame)).toBe('agent-1');
  });

  it('calls a frame that breaks a rule invalid, keeping its seq for the refusal', () => {
    const read = readAgentFrame(heartbeat(9n, 'Not A Slug'));
    expect(read).toMatchObject({ kind: 'invalid', seq: 9n });
    expect(readAgentFrame(new Uint8Array())).toMatchObject({ kind: 'invalid', seq: 0n });
    expect(readAgentFrame(heartbeat(0n))).toMatchObject({ kind: 'invalid', seq: 0n });
  });

  it('calls bytes that are no protobuf malformed', () => {
    expect(readAgentFrame(new Uint8Array([0xff, 0xff, 0xff]))).toMatchObject({ kind: 'malformed' });
    expect(readAgentFrame(new TextEncoder().encode('{"heartbeat":{}}'))).toMatchObject({ kind: 'malformed' });
  });
});

describe('gatewayFrame', () => {
  it('encodes what the agent decodes', () => {
    const bytes = gatewayFrame({
      frame: { case: 'goodbye', value: { reason: GoodbyeReason.RATE, detail: 'x' } },
    });
    const back = fromBinary(GatewayFrameSchema, bytes);
    expect(back.frame.case).toBe('goodbye');
  });
});
