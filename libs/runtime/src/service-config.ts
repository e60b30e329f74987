import { databaseConfig, httpConfig, logConfig, natsConfig, otelConfig } from '@muster/config';

/** What every service needs: HTTP, the bus, its database schema, logs and traces. */
export function serviceConfig(options: { schema: string; httpPort: number }) {
  return {
    http: httpConfig({ port: options.httpPort }),
    nats: natsConfig(),
    database: databaseConfig({ defaultSchema: options.schema }),
    log: logConfig(),
    otel: otelConfig(),
  };
}

export type BaseServiceConfigSchema = ReturnType<typeof serviceConfig>;
