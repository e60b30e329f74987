import type { ServiceParts } from '@muster/runtime';
import { MachineEntity } from './machines/machine.entity.js';
import { MachinesModule } from './machines/machines.module.js';
import { Machines1763800000100 } from './migrations/1763800000100-machines.js';
import { DiscoveryRevision1764500000100 } from './migrations/1764500000100-discovery-revision.js';

export const inventoryParts: ServiceParts = {
  features: [MachinesModule],
  entities: [MachineEntity],
  migrations: [Machines1763800000100, DiscoveryRevision1764500000100],
  // Lists and reads machines from its own tables; events wait in the stream while the bus is down.
  readiness: ['postgres'],
};
