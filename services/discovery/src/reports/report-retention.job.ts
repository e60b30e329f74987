import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { ReportRetentionRepository } from './report-retention.repository.js';

export const REPORT_RETENTION = Symbol('REPORT_RETENTION');

export interface ReportRetention {
  /** Reports older than this are deleted (MUSTER_DISCOVERY_REPORT_RETENTION_HOURS). */
  readonly hours: number;
  /** How often to look; default hourly. */
  readonly everyMs?: number;
}

/**
 * Keeps discovery reports for the configured time. Every instance runs it: the DELETE is
 * idempotent, so two instances at once delete each row once between them.
 */
@Injectable()
export class ReportRetentionJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('ReportRetention');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    @Inject(ReportRetentionRepository) private readonly reports: ReportRetentionRepository,
    @Inject(REPORT_RETENTION) private readonly retention: ReportRetention,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.retention.everyMs ?? 60 * 60 * 1000;
    this.timer = setInterval(() => void this.purgeOnce().catch(() => undefined), every).unref();
    void this.purgeOnce().catch(() => undefined);
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One pass, after any pass still running; resolves to how many reports it deleted. */
  purgeOnce(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.retention.hours * 3600_000);
    const pass = (this.running ?? Promise.resolve(0))
      .catch(() => 0)
      .then(() => this.reports.purgeReceivedBefore(cutoff))
      .then(
        (removed) => {
          if (removed > 0) this.logger.log(`deleted ${removed} discovery reports past retention`);
          return removed;
        },
        (err: unknown) => {
          this.logger.warn(`report purge failed: ${err instanceof Error ? err.message : String(err)}`);
          throw err;
        },
      );
    this.running = pass;
    return pass;
  }
}
