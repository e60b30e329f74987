import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
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
    @Inject(DatabaseHealth) private readonly database: DatabaseHealth,
    @Inject(READINESS_NEEDS) private readonly needs: readonly CoreDependency[],
  ) {}

  onModuleInit(): void {
    if (this.needs.includes('nats')) this.readiness.register('nats', () => this.bus.ping());
    if (this.needs.includes('postgres')) this.readiness.register('postgres', () => this.database.ping());
  }
}
