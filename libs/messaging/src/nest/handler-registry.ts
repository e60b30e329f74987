import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { DescMessage } from '@bufbuild/protobuf';
import type { Subscription } from '@nats-io/transport-node';
import type { BusManifest, QueryContract } from '@muster/contracts';
import { Metrics, ReadinessRegistry } from '@muster/observability';
import { BusConnection } from '../bus-connection.js';
import { DurableConsumer, type BatchHandler } from '../durable-consumer.js';
import { serveQuery, type QueryHandler } from '../query.js';
import type { EventHandlerMetadata } from './handler.decorators.js';
import { assertDeclared, type DeclaredHandler } from './manifest-check.js';
import { EVENT_HANDLER, MESSAGING_OPTIONS, QUERY_HANDLER } from './messaging.tokens.js';
import { readinessProbes } from './readiness-probes.js';

type Method = (...args: unknown[]) => Promise<unknown>;

/**
 * Finds every @OnEvent / @AnswerQuery method once the application has started, and runs
 * its consumer or responder; stops them before the bus connection closes.
 */
@Injectable()
export class HandlerRegistry
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly logger = new Logger('Messaging');
  private readonly consumers: DurableConsumer<DescMessage>[] = [];
  private readonly subscriptions: Subscription[] = [];
  private readonly counters: ReturnType<typeof messagingCounters>;

  constructor(
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
    @Inject(MetadataScanner) private readonly scanner: MetadataScanner,
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(BusConnection) private readonly bus: BusConnection,
    @Inject(MESSAGING_OPTIONS) private readonly options: { manifest?: BusManifest },
    @Optional() @Inject(Metrics) metrics?: Metrics,
    @Optional() @Inject(ReadinessRegistry) private readonly readiness?: ReadinessRegistry,
  ) {
    this.counters = messagingCounters(metrics);
  }

  async onApplicationBootstrap(): Promise<void> {
    const found: (() => Promise<void>)[] = [];
    const declared: DeclaredHandler[] = [];
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (!instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const method = (instance as Record<string, Method>)[name];
        if (typeof method !== 'function') continue;
        const event = this.reflector.get<EventHandlerMetadata | undefined>(EVENT_HANDLER, method);
        if (event) {
          declared.push({ kind: 'event', contract: event.contract, durable: event.options.durable });
          found.push(() => this.startConsumer(event, method.bind(instance)));
        }
        const query = this.reflector.get<QueryContract | undefined>(QUERY_HANDLER, method);
        if (query) {
          declared.push({ kind: 'query', query });
          found.push(() => Promise.resolve(this.startResponder(query, method.bind(instance))));
        }
      }
    }
    // Nothing starts unless every handler is in the service's bus manifest.
    if (this.options.manifest) assertDeclared(this.options.manifest, declared);
    for (const start of found) await start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    for (const sub of this.subscriptions.splice(0)) sub.unsubscribe();
    await Promise.all(this.consumers.splice(0).map((c) => c.stop()));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.bus.close();
  }

  private async startConsumer(event: EventHandlerMetadata, handle: Method): Promise<void> {
    const durable = event.options.durable;
    const consumer = await DurableConsumer.start(this.bus, {
      ...event.options,
      contract: event.contract,
      handle: handle as BatchHandler<unknown>,
      dependencies: [...readinessProbes(this.readiness), ...(event.options.dependencies ?? [])],
      onOutage: (e) => {
        event.options.onOutage?.(e);
        if (e.phase === 'start') {
          this.counters.outages?.inc({ consumer: durable });
          this.logger.warn(`${durable}: ${e.reason}; holding ${e.held} messages until it answers`);
        } else this.logger.log(`${durable}: ${e.reason} is over; resuming`);
      },
      onProcessed: (count) => {
        event.options.onProcessed?.(count);
        this.counters.processed?.inc({ consumer: event.options.durable }, count);
      },
      onDeadLetter: (r) => {
        event.options.onDeadLetter?.(r);
        this.counters.deadLettered?.inc({ consumer: r.consumer });
        this.logger.warn(`dead-lettered ${r.subject} #${r.streamSequence} from ${r.consumer}: ${r.reason}`);
      },
      onError: (err, where) => {
        event.options.onError?.(err, where);
        this.counters.failed?.inc({ consumer: event.options.durable });
        this.logger.error(
          `${event.options.durable}: ${where}: ${err instanceof Error ? err.message : String(err)}`,
        );
      },
    });
    this.consumers.push(consumer);
    this.logger.log(`consuming ${event.contract.filter} as ${event.options.durable}`);
  }

  private startResponder(query: QueryContract, handle: Method): void {
    const sub = serveQuery(this.bus, query, handle as QueryHandler<DescMessage, DescMessage>, (err) =>
      this.logger.error(`query ${query.name}: ${err instanceof Error ? err.message : String(err)}`),
    );
    this.subscriptions.push(sub);
    this.logger.log(`answering ${query.subject}`);
  }
}

function messagingCounters(metrics: Metrics | undefined) {
  const counter = (name: string, help: string) =>
    metrics?.counter({ name, help, labelNames: ['consumer'] as const });
  return {
    processed: counter(
      'muster_messages_processed_total',
      'Messages a durable consumer handled and acknowledged',
    ),
    failed: counter(
      'muster_message_handler_failures_total',
      'Handler failures (retried, held during an outage, or dead-lettered past max attempts)',
    ),
    outages: counter(
      'muster_consumer_outages_total',
      'Times a consumer held its messages because a dependency did not answer',
    ),
    deadLettered: counter(
      'muster_messages_dead_lettered_total',
      'Messages sent to the dead-letter stream, by consumer',
    ),
  };
}
