import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { MachineDiscoveredSchema, type MachineDiscovered } from '@muster/contracts';
import type { Delivery } from '@muster/messaging';
import { latestPerMachine } from './latest-per-machine.js';

let seq = 0;
const d = (machineId: string, revision: number, seconds = 0): Delivery<MachineDiscovered> =>
  ({
    message: create(MachineDiscoveredSchema, {
      machineId,
      revision: BigInt(revision),
      discoveredAt: { seconds: BigInt(seconds), nanos: 0 },
    }),
    meta: { id: `e${++seq}` },
    streamSequence: seq,
  }) as unknown as Delivery<MachineDiscovered>;

describe('latestPerMachine', () => {
  it('keeps the highest revision of each machine, whatever the arrival order', () => {
    const out = latestPerMachine([d('a', 2), d('b', 1), d('a', 3), d('a', 1), d('b', 2)]);
    expect(out.map((x) => [x.message.machineId, Number(x.message.revision)])).toEqual([
      ['a', 3],
      ['b', 2],
    ]);
  });

  it('orders revision-less events (0) by discovery time, then by stream position', () => {
    const late = d('a', 0, 20);
    expect(latestPerMachine([late, d('a', 0, 10)])).toEqual([late]);
    const first = d('a', 0, 10);
    const second = d('a', 0, 10);
    expect(latestPerMachine([second, first])).toEqual([second]);
  });
});
