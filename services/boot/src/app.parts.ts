import type { ServiceParts } from '@muster/runtime';
import { BootModule } from './boot.module.js';
import { BootMachines1763800000100 } from './migrations/1763800000100-boot-machines.js';
import { BootDiscoveryRevision1764500000200 } from './migrations/1764500000200-boot-discovery-revision.js';

export const bootParts: ServiceParts = {
  features: [BootModule],
  entities: [],
  migrations: [BootMachines1763800000100, BootDiscoveryRevision1764500000200],
};
