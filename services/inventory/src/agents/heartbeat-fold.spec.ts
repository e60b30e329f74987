import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { AgentHeartbeatSchema, type AgentHeartbeat } from '@muster/contracts';
import type { Delivery } from '@muster/messaging';
import { foldBeats } from './heartbeat-fold.js';

const M = '0b9f3d1e-5a7c-4c2e-9f00-1234567890ab';
const R1 = '11111111-1111-4111-8111-111111111111';
const R2 = '22222222-2222-4222-8222-222222222222';
const beat = (agentId: string, seq: number, time: string, release = ''): Delivery<AgentHeartbeat> =>
  ({
    message: create(AgentHeartbeatSchema, {
      agentId,
      machineId: M,
      seq: BigInt(seq),
      currentReleaseId: release,
    }),
    meta: { id: `${agentId}-${seq}`, type: 't', source: 's', time },
  }) as unknown as Delivery<AgentHeartbeat>;

describe('foldBeats', () => {
  it('keeps per agent the latest time and the release of the highest seq, whatever the order', () => {
    const folded = foldBeats([
      beat('a', 7, '2026-11-30T09:00:07Z', R2),
      beat('a', 9, '2026-11-30T09:00:05Z', R1),
      beat('b', 1, '2026-11-30T09:00:01Z'),
      beat('a', 8, '2026-11-30T09:00:09Z', R2),
    ]);
    expect(folded).toEqual([
      { machineId: M, agentId: 'a', seen: new Date('2026-11-30T09:00:09Z'), seq: 9n, release: R1 },
      { machineId: M, agentId: 'b', seen: new Date('2026-11-30T09:00:01Z'), seq: 1n, release: '' },
    ]);
  });
});
