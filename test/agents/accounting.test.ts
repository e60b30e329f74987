import { describe, expect, it } from 'vitest';
import { account } from './simulator/accounting.js';
import type { SimAgentRecord } from './simulator/sim-agent.js';

// The checker's arithmetic, on hand-made records (no servers): each count must catch its fault.
function record(
  agentId: string,
  reports: [
    number,
    'heartbeat' | 'status' | 'facts',
    'stored' | 'duplicate' | 'taken' | 'refused' | undefined,
  ][],
): SimAgentRecord {
  const sent = new Map(reports.map(([s, k]) => [BigInt(s), k] as const));
  const settled = new Map(reports.flatMap(([s, , o]) => (o ? [[BigInt(s), o] as const] : [])));
  return { agentId, siteId: 's', sent, settled, commandsRun: [], commandsDropped: [], desiredStates: 0 };
}

describe('account', () => {
  it('finds nothing wrong when every sent event is stored once', () => {
    const a = account(
      [
        record('a', [
          [1, 'facts', 'stored'],
          [2, 'heartbeat', 'stored'],
          [3, 'status', 'taken'],
        ]),
      ],
      [
        { agentId: 'a', seq: 1n },
        { agentId: 'a', seq: 3n },
      ],
      new Map([['a', 2n]]),
    );
    expect(a).toMatchObject({ sent: 2, acknowledged: 2, stored: 2, lost: 0, duplicated: 0, unknown: 0 });
    expect(a.heartbeats).toEqual({ sent: 1, acknowledged: 1, agentsBehind: 0 });
  });

  it('counts an acknowledged event missing from the stream as lost after ack', () => {
    const a = account(
      [
        record('a', [
          [1, 'status', 'stored'],
          [2, 'status', undefined],
        ]),
      ],
      [],
      new Map(),
    );
    expect(a).toMatchObject({ lost: 2, lostAfterAck: 1, unsettled: 1 });
  });

  it('counts extra copies as duplicated and foreign seqs as unknown', () => {
    const a = account(
      [record('a', [[1, 'status', 'stored']])],
      [
        { agentId: 'a', seq: 1n },
        { agentId: 'a', seq: 1n },
        { agentId: 'b', seq: 1n },
      ],
      new Map(),
    );
    expect(a).toMatchObject({ lost: 0, duplicated: 1, unknown: 1 });
  });

  it('does not count a refused event as lost', () => {
    const a = account([record('a', [[1, 'status', 'refused']])], [], new Map());
    expect(a).toMatchObject({ refused: 1, lost: 0 });
  });

  it('flags an agent whose heartbeat bucket is older than its last acknowledged beat', () => {
    const a = account(
      [
        record('a', [
          [1, 'heartbeat', 'stored'],
          [2, 'heartbeat', 'stored'],
        ]),
        record('b', [[1, 'heartbeat', 'stored']]),
      ],
      [],
      new Map([['a', 1n]]),
    );
    expect(a.heartbeats.agentsBehind).toBe(2);
  });
});
