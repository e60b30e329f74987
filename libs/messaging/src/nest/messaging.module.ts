import { Module, type DynamicModule, type FactoryProvider, type InjectionToken } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import type { BusManifest } from '@muster/contracts';
import { BusConnection, type BusOptions } from '../bus-connection.js';
import { EventPublisher } from '../event-publisher.js';
import { QueryClient } from '../query.js';
import { HandlerRegistry } from './handler-registry.js';
import { MESSAGING_OPTIONS } from './messaging.tokens.js';

export interface MessagingModuleOptions extends BusOptions {
  /** CloudEvents `source` of everything this service sends: `/muster/<service>`. */
  source: string;
  /**
   * What this service may do on the bus: every @OnEvent / @AnswerQuery must be declared in it,
   * or the service refuses to start. Omitted, nothing is checked (library tests).
   */
  manifest?: BusManifest;
}

export interface MessagingModuleAsyncOptions {
  imports?: DynamicModule['imports'];
  inject?: InjectionToken[];
  useFactory: (...args: never[]) => MessagingModuleOptions | Promise<MessagingModuleOptions>;
}

@Module({})
export class MessagingModule {
  static forRootAsync(options: MessagingModuleAsyncOptions): DynamicModule {
    const optionsProvider: FactoryProvider = {
      provide: MESSAGING_OPTIONS,
      useFactory: options.useFactory,
      inject: options.inject ?? [],
    };
    return {
      module: MessagingModule,
      global: true,
      imports: [DiscoveryModule, ...(options.imports ?? [])],
      providers: [
        optionsProvider,
        {
          provide: BusConnection,
          useFactory: (o: MessagingModuleOptions) => BusConnection.connect(o),
          inject: [MESSAGING_OPTIONS],
        },
        {
          provide: EventPublisher,
          useFactory: (bus: BusConnection, o: MessagingModuleOptions) => new EventPublisher(bus, o.source),
          inject: [BusConnection, MESSAGING_OPTIONS],
        },
        {
          provide: QueryClient,
          useFactory: (bus: BusConnection, o: MessagingModuleOptions) => new QueryClient(bus, o.source),
          inject: [BusConnection, MESSAGING_OPTIONS],
        },
        HandlerRegistry,
      ],
      exports: [BusConnection, EventPublisher, QueryClient, MESSAGING_OPTIONS],
    };
  }
}
