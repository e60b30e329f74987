import { describeConfig, loadConfigOrExit, type ConfigOf, type ConfigSchema } from '@muster/config';
import { createLogger, startTelemetry } from '@muster/observability';
import { commonServiceConfig, serviceConfig, type ServiceConfigSchema } from './service-config.js';
import type { ServiceContext, ServiceParts } from './run-service.js';

export interface ServiceEntry<E extends ConfigSchema = Record<never, never>, D extends boolean = true> {
  name: string;
  httpPort: number;
  /**
   * `false` for a service that keeps no database (a site cache: its index is on its own disk):
   * no MUSTER_DATABASE_* settings, no PostgreSQL, no outbox and no inbox. Default: it has one.
   */
  database?: D;
  /** Settings beyond the common ones (Redis, S3, …), validated with them. */
  extraConfig?: E;
  /** Loaded only after telemetry has started, so its HTTP and Nest code is instrumented. */
  load: (config: ConfigOf<ServiceConfigSchema<D> & E>) => Promise<ServiceParts>;
}

/** Types a service's entry (its config inferred), for main.ts and for tests that start it in-process. */
export function defineService<E extends ConfigSchema = Record<never, never>, D extends boolean = true>(
  entry: ServiceEntry<E, D>,
): ServiceEntry<E, D> {
  return entry;
}

/** The whole configuration schema of a service: the common settings and its own. */
export function serviceSchema<E extends ConfigSchema, D extends boolean = true>(
  entry: ServiceEntry<E, D>,
): ServiceConfigSchema<D> & E {
  const common =
    entry.database === false
      ? commonServiceConfig({ httpPort: entry.httpPort })
      : serviceConfig({ schema: entry.name.replace(/-/g, '_'), httpPort: entry.httpPort });
  return { ...common, ...entry.extraConfig } as ServiceConfigSchema<D> & E;
}

/**
 * What a service's main.ts calls with the environment: validate config (every bad key
 * listed, exit 78), start telemetry first, then load and start the application.
 */
export async function runService<E extends ConfigSchema = Record<never, never>, D extends boolean = true>(
  entry: ServiceEntry<E, D>,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const schema = serviceSchema(entry);
  const config = loadConfigOrExit(schema, { service: entry.name, env });
  // The common part, seen through its own type (TypeScript cannot narrow the generic intersection).
  const base = config as unknown as ServiceContext['config'];
  const telemetry = startTelemetry({
    serviceName: `muster-${entry.name}`,
    ...(base.otel.otlpEndpoint ? { otlpEndpoint: base.otel.otlpEndpoint } : {}),
  });
  const logger = createLogger({ service: entry.name, level: base.log.level });
  logger.info({ config: describeConfig(config, schema) }, `${entry.name} starting`);
  try {
    const [{ startService }, parts] = await Promise.all([import('./run-service.js'), entry.load(config)]);
    await startService({ name: entry.name, config: base, logger }, parts);
    process.once('exit', () => void telemetry.shutdown());
  } catch (err) {
    logger.fatal({ err }, `${entry.name} failed to start`);
    await telemetry.shutdown();
    process.exit(1);
  }
}
