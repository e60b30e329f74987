import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { BusConnection } from '@muster/messaging';
import { ReadinessRegistry } from '@muster/observability';
import { DatabaseHealth } from '@muster/persistence';

/** Ready means: the bus answers a ping and the database answers a query. */
@Injectable()
export class CoreReadiness implements OnModuleInit {
  constructor(
    @Inject(ReadinessRegistry) private readonly readiness: ReadinessRegistry,
    @Inject(BusConnection) private readonly bus: BusConnection,
    @Inject(DatabaseHealth) private readonly database: DatabaseHealth,
  ) {}

  onModuleInit(): void {
    this.readiness.register('nats', () => this.bus.ping());
    this.readiness.register('postgres', () => this.database.ping());
  }
}
