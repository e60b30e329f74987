import { hostname } from 'node:os';
import { Module, type DynamicModule, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { ConfigOf } from '@muster/config';
import { busManifest, inboxPrefix, manifestStreams } from '@muster/contracts';
import { MessagingModule } from '@muster/messaging';
import { NestPinoLogger, ObservabilityModule, type Logger, type Metrics } from '@muster/observability';
import { OutboxInbox1763800000000, PersistenceModule } from '@muster/persistence';
import { CoreReadiness, READINESS_NEEDS, type CoreDependency } from './core-readiness.js';
import { configureHttpEdge } from './http/http-edge.js';
import { OperatorAuthModule, OperatorTokenGuard } from './http/operator-token.guard.js';
import type { BaseServiceConfigSchema, CommonServiceConfigSchema } from './service-config.js';

export interface ServiceParts {
  /** The service's own modules: controllers, handlers, repositories. */
  features: (Type | DynamicModule)[];
  /** Empty for a service without a database (`database: false` in its entry). */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: Function[];
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: Function[];
  /**
   * The common dependencies this service needs in order to serve its routes: /readyz checks
   * these (and what its modules register, e.g. S3) and nothing else.
   */
  readiness: readonly CoreDependency[];
}

export interface ServiceContext {
  name: string;
  /** `database` is absent for a service without one. */
  config: ConfigOf<CommonServiceConfigSchema> & Partial<Pick<ConfigOf<BaseServiceConfigSchema>, 'database'>>;
  logger: Logger;
  metrics?: Metrics;
}

/**
 * The root module of a service: observability, bus, database + outbox (when it has a database),
 * then its features.
 */
export function serviceModule(ctx: ServiceContext, parts: ServiceParts): DynamicModule {
  const { name, config } = ctx;
  const database = config.database;
  if (
    !database &&
    (parts.entities.length > 0 || parts.migrations.length > 0 || parts.readiness.includes('postgres'))
  )
    throw new Error(
      `${name} has no database, yet its parts name entities, migrations or a PostgreSQL readiness check`,
    );
  const source = `/muster/${name}`;
  // What this service may do on the bus: its streams, its inbox, and the handlers it may run.
  const manifest = busManifest(name);
  const { owned, read } = manifestStreams(manifest);
  @Module({})
  class ServiceRootModule {}
  return {
    module: ServiceRootModule,
    imports: [
      ObservabilityModule.forRoot({
        service: name,
        logger: ctx.logger,
        ...(ctx.metrics ? { metrics: ctx.metrics } : {}),
      }),
      MessagingModule.forRootAsync({
        useFactory: () => ({
          servers: config.nats.servers,
          ...(config.nats.nkeySeed ? { nkeySeed: config.nats.nkeySeed } : {}),
          inboxPrefix: inboxPrefix(manifest.service),
          name: `${name}@${hostname()}:${process.pid}`,
          source,
          manifest,
          streams: owned,
          awaitStreams: read,
          onStreamWait: (stream) =>
            ctx.logger.info({ stream }, `waiting for stream ${stream}, which its producers create`),
          streamOverrides: config.nats.streams,
          onStreamLog: (e) =>
            ctx.logger[e.action === 'drift' ? 'warn' : 'info'](
              { stream: e.stream, action: e.action },
              `stream ${e.stream} ${e.action}: ${e.detail}`,
            ),
          onStatus: (s) =>
            ctx.logger[s.type === 'ping' ? 'debug' : 'info'](
              { nats: s.type, detail: s.detail },
              `nats ${s.type}`,
            ),
        }),
      }),
      ...(database
        ? [
            PersistenceModule.forRootAsync({
              useFactory: () => ({
                url: database.url,
                schema: database.schema,
                applicationName: `muster-${name}`,
                entities: parts.entities,
                migrations: [OutboxInbox1763800000000, ...parts.migrations],
                source,
              }),
            }),
          ]
        : []),
      OperatorAuthModule,
      ...parts.features,
    ],
    providers: [{ provide: READINESS_NEEDS, useValue: parts.readiness }, CoreReadiness],
  };
}

/** Creates the HTTP application with the common edge (see configureHttpEdge). */
export async function createServiceApp(ctx: ServiceContext, parts: ServiceParts): Promise<INestApplication> {
  const app = await NestFactory.create(serviceModule(ctx, parts), {
    logger: new NestPinoLogger(ctx.logger),
    abortOnError: false,
    // The edge parses JSON bodies itself, once the route (and so its body limit) is known.
    bodyParser: false,
  });
  configureHttpEdge(app, { ...ctx.config.http, authentication: app.get(OperatorTokenGuard) });
  return app;
}

/**
 * Creates and starts the HTTP application. SIGTERM and SIGINT shut it down gracefully: it
 * reports not ready, the consumers drain and the relay stops, Nest stops accepting and waits
 * for the requests in flight, then the bus and the database close.
 */
export async function startService(ctx: ServiceContext, parts: ServiceParts): Promise<INestApplication> {
  const app = await createServiceApp(ctx, parts);
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  await app.listen(ctx.config.http.port, ctx.config.http.host);
  ctx.logger.info({ url: await app.getUrl() }, `${ctx.name} listening`);
  return app;
}
