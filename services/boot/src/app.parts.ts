import type { ServiceParts } from '@muster/runtime';
import { BootModule } from './boot.module.js';
import type { BootEndpoints } from './ipxe/ipxe-script.js';
import { BootMachines1763800000100 } from './migrations/1763800000100-boot-machines.js';
import { BootDiscoveryRevision1764500000200 } from './migrations/1764500000200-boot-discovery-revision.js';

export function bootParts(endpoints: BootEndpoints): ServiceParts {
  return {
    features: [BootModule.forRoot(endpoints)],
    entities: [],
    migrations: [BootMachines1763800000100, BootDiscoveryRevision1764500000200],
    // Answers iPXE from its own projection: it keeps booting machines while the bus is down.
    readiness: ['postgres'],
  };
}
