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
import { openDatabase } from '../migrate.js';
import { Outbox } from '../outbox.js';
import { OutboxRelay, type OutboxRelayOptions } from '../outbox-relay.js';

export interface PersistenceModuleOptions extends DatabaseOptions {
  /** CloudEvents `source` for events written to the outbox. */
  source: string;
  relay?: OutboxRelayOptions;
}

export const PERSISTENCE_OPTIONS = Symbol('PERSISTENCE_OPTIONS');

/** Starts the outbox relay with the application and stops it before the bus closes. */
@Injectable()
class RelayLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(
    @Inject(OutboxRelay) private readonly relay: OutboxRelay,
    @Inject(DataSource) private readonly ds: DataSource,
  ) {}
  onApplicationBootstrap(): void {
    this.relay.start();
  }
  async beforeApplicationShutdown(): Promise<void> {
    await this.relay.stop();
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
          useFactory: (o: PersistenceModuleOptions) => openDatabase(createDataSource(o)),
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
        DatabaseHealth,
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
