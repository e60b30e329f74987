import type { ServiceParts } from '@muster/runtime';
import { BootModule } from './boot.module.js';
import type { BootEndpoints } from './ipxe/ipxe-script.js';
import { BootMachines1763800000100 } from './migrations/1763800000100-boot-machines.js';

export function bootParts(endpoints: BootEndpoints): ServiceParts {
  return {
    features: [BootModule.forRoot(endpoints)],
    entities: [],
    migrations: [BootMachines1763800000100],
    // Answers iPXE from its own projection: it keeps booting machines while the bus is down.
    readiness: ['postgres'],
  };
}
