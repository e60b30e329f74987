import type { ServiceParts } from '@muster/runtime';
import { IdentityConflictEntity } from './conflicts/identity-conflict.entity.js';
import type { DiscoveryOptions } from './discovery.config.js';
import { MachineIdentityEntity } from './identity/machine-identity.entity.js';
import { MachineIdentity1763800000100 } from './migrations/1763800000100-machine-identity.js';
import type { ReportRetention } from './reports/report-retention.job.js';
import { ReportRetentionModule } from './reports/report-retention.module.js';
import { RevisionConflictsSiteNetworks1763800000200 } from './migrations/1763800000200-revision-conflicts-site-networks.js';
import { SiteNetworksFromInventory1764600000200 } from './migrations/1764600000200-site-networks-from-inventory.js';
import { ReportsModule } from './reports/reports.module.js';
import { SiteNetworkEntity } from './sites/site-network.entity.js';
import { SitesModule } from './sites/sites.module.js';

export function discoveryParts(options: DiscoveryOptions, retention: ReportRetention): ServiceParts {
  return {
    features: [ReportsModule.forRoot(options), SitesModule, ReportRetentionModule.forRoot(retention)],
    entities: [MachineIdentityEntity, IdentityConflictEntity, SiteNetworkEntity],
    migrations: [
      MachineIdentity1763800000100,
      RevisionConflictsSiteNetworks1763800000200,
      SiteNetworksFromInventory1764600000200,
    ],
    // A report commits to its own tables and outbox; the relay publishes once the bus is back.
    readiness: ['postgres'],
  };
}
