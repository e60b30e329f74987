import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BusConnection } from '@muster/messaging';
import { ReadinessRegistry } from '@muster/observability';

/** Ready means: the bus answers a ping and the database answers a query. */
@Injectable()
export class CoreReadiness implements OnModuleInit {
  constructor(
    @Inject(ReadinessRegistry) private readonly readiness: ReadinessRegistry,
    @Inject(BusConnection) private readonly bus: BusConnection,
    @Inject(DataSource) private readonly ds: DataSource,
  ) {}

  onModuleInit(): void {
    this.readiness.register('nats', () => this.bus.ping());
    this.readiness.register('postgres', async () => {
      await this.ds.query('SELECT 1');
    });
  }
}
