import type { ServiceParts } from '@muster/runtime';
import { MachineIdentityEntity } from './identity/machine-identity.entity.js';
import { MachineIdentity1763800000100 } from './migrations/1763800000100-machine-identity.js';
import { ReportsModule } from './reports/reports.module.js';

export const discoveryParts: ServiceParts = {
  features: [ReportsModule],
  entities: [MachineIdentityEntity],
  migrations: [MachineIdentity1763800000100],
};
