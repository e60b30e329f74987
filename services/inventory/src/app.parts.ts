import type { ServiceParts } from '@muster/runtime';
import { AgentsModule } from './agents/agents.module.js';
import { CatalogModule } from './catalog/catalog.module.js';
import { MachineEntity } from './machines/machine.entity.js';
import { MachinesModule } from './machines/machines.module.js';
import { Machines1763800000100 } from './migrations/1763800000100-machines.js';
import { DiscoveryRevision1764500000100 } from './migrations/1764500000100-discovery-revision.js';
import { Fleet1764600000100 } from './migrations/1764600000100-fleet.js';
import { AgentStatus1764700000100 } from './migrations/1764700000100-agent-status.js';

export const inventoryParts: ServiceParts = {
  features: [CatalogModule, MachinesModule, AgentsModule],
  entities: [MachineEntity],
  migrations: [
    Machines1763800000100,
    DiscoveryRevision1764500000100,
    Fleet1764600000100,
    AgentStatus1764700000100,
  ],
  // Lists and reads machines from its own tables; events wait in the stream while the bus is down.
  readiness: ['postgres'],
};
