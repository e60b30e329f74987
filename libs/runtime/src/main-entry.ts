import { describeConfig, loadConfigOrExit, type ConfigOf, type ConfigSchema } from '@muster/config';
import { createLogger, startTelemetry } from '@muster/observability';
import { serviceConfig, type BaseServiceConfigSchema } from './service-config.js';
import type { ServiceParts } from './run-service.js';

export interface ServiceEntry<E extends ConfigSchema = Record<never, never>> {
  name: string;
  httpPort: number;
  /** Settings beyond the common ones (Redis, S3, …), validated with them. */
  extraConfig?: E;
  /** Loaded only after telemetry has started, so its HTTP and Nest code is instrumented. */
  load: (config: ConfigOf<BaseServiceConfigSchema & E>) => Promise<ServiceParts>;
}

/** Types a service's entry (its config inferred), for main.ts and for tests that start it in-process. */
export function defineService<E extends ConfigSchema = Record<never, never>>(
  entry: ServiceEntry<E>,
): ServiceEntry<E> {
  return entry;
}

/** The whole configuration schema of a service: the common settings and its own. */
export function serviceSchema<E extends ConfigSchema>(entry: ServiceEntry<E>): BaseServiceConfigSchema & E {
  return {
    ...serviceConfig({ schema: entry.name.replace(/-/g, '_'), httpPort: entry.httpPort }),
    ...entry.extraConfig,
  } as BaseServiceConfigSchema & E;
}

/**
 * What a service's main.ts calls with the environment: validate config (every bad key
 * listed, exit 78), start telemetry first, then load and start the application.
 */
export async function runService<E extends ConfigSchema = Record<never, never>>(
  entry: ServiceEntry<E>,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const schema = serviceSchema(entry);
  const config = loadConfigOrExit(schema, { service: entry.name, env });
  // The common part, seen through its own type (TypeScript cannot narrow the generic intersection).
  const base = config as unknown as ConfigOf<BaseServiceConfigSchema>;
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
