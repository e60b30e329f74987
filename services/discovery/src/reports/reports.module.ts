import { Module } from '@nestjs/common';
import { MachineIdentityRepository } from '../identity/machine-identity.repository.js';
import { DiscoveryReportsController } from './discovery-reports.controller.js';
import { DiscoveryReportsService } from './discovery-reports.service.js';

@Module({
  controllers: [DiscoveryReportsController],
  providers: [MachineIdentityRepository, DiscoveryReportsService],
})
export class ReportsModule {}
