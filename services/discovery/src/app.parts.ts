import type { ServiceParts } from '@muster/runtime';
import { MachineIdentityEntity } from './identity/machine-identity.entity.js';
import { MachineIdentity1763800000100 } from './migrations/1763800000100-machine-identity.js';
import type { ReportRetention } from './reports/report-retention.job.js';
import { ReportRetentionModule } from './reports/report-retention.module.js';
import { ReportsModule } from './reports/reports.module.js';

export function discoveryParts(retention: ReportRetention): ServiceParts {
  return {
    features: [ReportsModule, ReportRetentionModule.forRoot(retention)],
    entities: [MachineIdentityEntity],
    migrations: [MachineIdentity1763800000100],
    // A report commits to its own tables and outbox; the relay publishes once the bus is back.
    readiness: ['postgres'],
  };
}
