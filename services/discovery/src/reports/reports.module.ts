import { Module, type DynamicModule } from '@nestjs/common';
import { ConflictsModule } from '../conflicts/conflicts.module.js';
import { DISCOVERY_OPTIONS, type DiscoveryOptions } from '../discovery.config.js';
import { MachineIdentityRepository } from '../identity/machine-identity.repository.js';
import { DiscoveryReportsController } from './discovery-reports.controller.js';
import { DiscoveryReportsService } from './discovery-reports.service.js';
import { ReportBatchProcessor } from './report-batch.processor.js';

@Module({})
export class ReportsModule {
  static forRoot(options: DiscoveryOptions): DynamicModule {
    return {
      module: ReportsModule,
      imports: [ConflictsModule],
      controllers: [DiscoveryReportsController],
      providers: [
        { provide: DISCOVERY_OPTIONS, useValue: options },
        MachineIdentityRepository,
        ReportBatchProcessor,
        DiscoveryReportsService,
      ],
    };
  }
}
