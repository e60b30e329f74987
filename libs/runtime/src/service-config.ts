import { databaseConfig, httpConfig, logConfig, natsConfig, otelConfig } from '@muster/config';

/** What every service needs, with a database or without: HTTP, the bus, logs and traces. */
export function commonServiceConfig(options: { httpPort: number }) {
  return {
    http: httpConfig({ port: options.httpPort }),
    nats: natsConfig(),
    log: logConfig(),
    otel: otelConfig(),
  };
}

/** What every service with a database needs: the common settings and its database schema. */
export function serviceConfig(options: { schema: string; httpPort: number }) {
  return {
    ...commonServiceConfig(options),
    database: databaseConfig({ defaultSchema: options.schema }),
  };
}

export type CommonServiceConfigSchema = ReturnType<typeof commonServiceConfig>;
export type BaseServiceConfigSchema = ReturnType<typeof serviceConfig>;
/** The common settings of a service with a database (`true`) or without one (`false`). */
export type ServiceConfigSchema<D extends boolean> = D extends false
  ? CommonServiceConfigSchema
  : BaseServiceConfigSchema;
