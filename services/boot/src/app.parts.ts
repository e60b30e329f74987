import type { ServiceParts } from '@muster/runtime';
import { BootModule } from './boot.module.js';
import { BootMachines1763800000100 } from './migrations/1763800000100-boot-machines.js';

export const bootParts: ServiceParts = {
  features: [BootModule],
  entities: [],
  migrations: [BootMachines1763800000100],
};
