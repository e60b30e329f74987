import { Module, type DynamicModule } from '@nestjs/common';
import { REPORT_RETENTION, ReportRetentionJob, type ReportRetention } from './report-retention.job.js';
import { ReportRetentionRepository } from './report-retention.repository.js';

@Module({})
export class ReportRetentionModule {
  static forRoot(retention: ReportRetention): DynamicModule {
    return {
      module: ReportRetentionModule,
      providers: [
        { provide: REPORT_RETENTION, useValue: retention },
        ReportRetentionRepository,
        ReportRetentionJob,
      ],
      exports: [ReportRetentionJob],
    };
  }
}
