import {
  Inject,
  Injectable,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type InjectionToken,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  Logger,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EventPublisher } from '@muster/messaging';
import { Metrics } from '@muster/observability';
import { createDataSource, type DatabaseOptions } from '../data-source.js';
import { DatabaseHealth } from '../database-health.js';
import { openDatabaseWhenReachable } from '../migrate.js';
import { purgeInbox } from '../inbox.js';
import { Outbox } from '../outbox.js';
import { OutboxRelay, type OutboxRelayOptions } from '../outbox-relay.js';

export interface PersistenceModuleOptions extends DatabaseOptions {
  /** CloudEvents `source` for events written to the outbox. */
  source: string;
  relay?: OutboxRelayOptions;
  /**
   * How long the inbox remembers a message id. It must outlast any redelivery: the streams
   * keep messages 30 days, so the default is 31.
   */
  inboxRetentionHours?: number;
}

const DEFAULT_INBOX_RETENTION_HOURS = 31 * 24;
const INBOX_PURGE_EVERY_MS = 60 * 60 * 1000;

export const PERSISTENCE_OPTIONS = Symbol('PERSISTENCE_OPTIONS');

/**
 * Starts the outbox relay with the application and stops it before the bus closes; forgets
 * inbox entries past the retention hourly (every instance does: the DELETE is idempotent).
 */
@Injectable()
class RelayLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('Inbox');
  private purgeTimer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(OutboxRelay) private readonly relay: OutboxRelay,
    @Inject(DataSource) private readonly ds: DataSource,
    @Inject(PERSISTENCE_OPTIONS) private readonly options: PersistenceModuleOptions,
  ) {}
  onApplicationBootstrap(): void {
    this.relay.start();
    this.purgeTimer = setInterval(() => void this.purgeInbox(), INBOX_PURGE_EVERY_MS).unref();
  }
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.purgeTimer);
    await this.relay.stop();
  }
  private async purgeInbox(): Promise<void> {
    try {
      const removed = await purgeInbox(
        this.ds,
        this.options.inboxRetentionHours ?? DEFAULT_INBOX_RETENTION_HOURS,
      );
      if (removed > 0) this.logger.log(`forgot ${removed} inbox entries past retention`);
    } catch (err) {
      this.logger.warn(`inbox purge failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  async onApplicationShutdown(): Promise<void> {
    if (this.ds.isInitialized) await this.ds.destroy();
  }
}

@Module({})
export class PersistenceModule {
  static forRootAsync(options: {
    inject?: InjectionToken[];
    useFactory: (...args: never[]) => PersistenceModuleOptions | Promise<PersistenceModuleOptions>;
  }): DynamicModule {
    const logger = new Logger('Outbox');
    return {
      module: PersistenceModule,
      global: true,
      providers: [
        { provide: PERSISTENCE_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] },
        {
          provide: DataSource,
          useFactory: (o: PersistenceModuleOptions) =>
            openDatabaseWhenReachable(() => createDataSource(o), {
              onWait: (err, attempt) =>
                new Logger('Database').warn(`waiting for PostgreSQL (attempt ${attempt}): ${err.message}`),
            }),
          inject: [PERSISTENCE_OPTIONS],
        },
        {
          provide: Outbox,
          useFactory: (o: PersistenceModuleOptions) => new Outbox(o.source),
          inject: [PERSISTENCE_OPTIONS],
        },
        {
          provide: OutboxRelay,
          useFactory: (
            ds: DataSource,
            publisher: EventPublisher,
            o: PersistenceModuleOptions,
            metrics?: Metrics,
          ) => new OutboxRelay(ds, publisher, { ...relayReporting(logger, metrics), ...o.relay }),
          inject: [DataSource, EventPublisher, PERSISTENCE_OPTIONS, { token: Metrics, optional: true }],
        },
        RelayLifecycle,
        {
          provide: DatabaseHealth,
          useFactory: (o: PersistenceModuleOptions) =>
            new DatabaseHealth({ url: o.url, applicationName: o.applicationName }),
          inject: [PERSISTENCE_OPTIONS],
        },
      ],
      exports: [DataSource, Outbox, OutboxRelay, DatabaseHealth],
    };
  }
}

/** Relay outcomes as log lines and Prometheus counters. */
function relayReporting(logger: Logger, metrics: Metrics | undefined): OutboxRelayOptions {
  const published = metrics?.counter({
    name: 'muster_outbox_published_total',
    help: 'Events the outbox relay published',
  });
  const failures = metrics?.counter({
    name: 'muster_outbox_relay_failures_total',
    help: 'Failed relay rounds (bus or database unavailable); the rows stay and are retried',
  });
  return {
    onPublished: (count) => published?.inc(count),
    onError: (err) => {
      failures?.inc();
      logger.warn(`relay round failed: ${err instanceof Error ? err.message : String(err)}`);
    },
  };
}
