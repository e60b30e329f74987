import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { MachineDiscoveredSchema } from '@muster/contracts';
import { machineDiff } from './machine-diff.js';
import { machineFromDiscovery } from './machine-record.js';

const base = machineFromDiscovery(
  create(MachineDiscoveredSchema, {
    machineId: '0b9f3d1e-5a7c-4c2e-9f00-1234567890ab',
    siteId: 'a',
    identity: { macs: ['52:54:00:00:00:01'] },
  }),
);

describe('machineDiff', () => {
  it('names each changed field with before and after', () => {
    const after = { ...base, siteId: 'b', labels: { role: 'till' }, state: 'ASSIGNED', pinned: true };
    expect(machineDiff(base, after)).toEqual({
      site_id: { from: 'a', to: 'b' },
      labels: { from: {}, to: { role: 'till' } },
      state: { from: 'DISCOVERED', to: 'ASSIGNED' },
      pinned: { from: false, to: true },
    });
  });

  it('sees no change in a reordered label set or equal hardware, and hides hardware values', () => {
    const a = { ...base, labels: { x: '1', y: '2' }, hardware: { cpu: { cores: 4, model: 'm' } } };
    const b = { ...base, labels: { y: '2', x: '1' }, hardware: { cpu: { model: 'm', cores: 4 } } };
    expect(machineDiff(a, b)).toEqual({});
    expect(machineDiff(a, { ...b, hardware: { cpu: { cores: 8 } } })).toEqual({
      hardware: { from: '…', to: '…' },
    });
  });
});
