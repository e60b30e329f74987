import type { MachineDiscovered } from '@muster/contracts';
import type { Delivery } from '@muster/messaging';

/**
 * The one delivery per machine that a batch should apply: the highest discovery revision
 * (ties and revision 0 go to the later discovery time, then the later stream position).
 */
export function latestPerMachine(
  deliveries: readonly Delivery<MachineDiscovered>[],
): Delivery<MachineDiscovered>[] {
  const best = new Map<string, Delivery<MachineDiscovered>>();
  for (const d of deliveries) {
    const held = best.get(d.message.machineId);
    if (!held || newer(d, held)) best.set(d.message.machineId, d);
  }
  return [...best.values()];
}

function newer(a: Delivery<MachineDiscovered>, b: Delivery<MachineDiscovered>): boolean {
  if (a.message.revision !== b.message.revision) return a.message.revision > b.message.revision;
  const at = (d: Delivery<MachineDiscovered>) => d.message.discoveredAt?.seconds ?? 0n;
  if (at(a) !== at(b)) return at(a) > at(b);
  return a.streamSequence > b.streamSequence;
}
