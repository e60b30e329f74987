import { Inject, Injectable, Optional, type OnModuleInit } from '@nestjs/common';
import { BusConnection } from '@muster/messaging';
import { ReadinessRegistry } from '@muster/observability';
import { DatabaseHealth } from '@muster/persistence';

/** A dependency of the common kind that a service may need in order to serve. */
export type CoreDependency = 'postgres' | 'nats';

export const READINESS_NEEDS = Symbol('READINESS_NEEDS');

/**
 * Registers a readiness check for each common dependency the service needs to serve, and no
 * other: a service that answers from its own tables stays in rotation while the bus is down
 * (taking every instance out at once would turn a bus outage into an HTTP outage).
 */
@Injectable()
export class CoreReadiness implements OnModuleInit {
  constructor(
    @Inject(ReadinessRegistry) private readonly readiness: ReadinessRegistry,
    @Inject(BusConnection) private readonly bus: BusConnection,
    // Absent in a service without a database.
    @Optional() @Inject(DatabaseHealth) private readonly database: DatabaseHealth | undefined,
    @Inject(READINESS_NEEDS) private readonly needs: readonly CoreDependency[],
  ) {}

  onModuleInit(): void {
    if (this.needs.includes('nats')) this.readiness.register('nats', () => this.bus.ping());
    const database = this.database;
    if (this.needs.includes('postgres') && database)
      this.readiness.register('postgres', () => database.ping());
  }
}
