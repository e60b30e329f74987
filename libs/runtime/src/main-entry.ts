import { describeConfig, loadConfigOrExit } from '@muster/config';
import { createLogger, startTelemetry } from '@muster/observability';
import { serviceConfig } from './service-config.js';
import type { ServiceParts } from './run-service.js';

export interface ServiceEntry {
  name: string;
  httpPort: number;
  /** Loaded only after telemetry has started, so its HTTP and Nest code is instrumented. */
  load: () => Promise<ServiceParts>;
}

/**
 * What a service's main.ts calls with the environment: validate config (every bad key
 * listed, exit 78), start telemetry first, then load and start the application.
 */
export async function runService(entry: ServiceEntry, env: NodeJS.ProcessEnv): Promise<void> {
  const schema = serviceConfig({ schema: entry.name.replace(/-/g, '_'), httpPort: entry.httpPort });
  const config = loadConfigOrExit(schema, { service: entry.name, env });
  const telemetry = startTelemetry({
    serviceName: `muster-${entry.name}`,
    ...(config.otel.otlpEndpoint ? { otlpEndpoint: config.otel.otlpEndpoint } : {}),
  });
  const logger = createLogger({ service: entry.name, level: config.log.level });
  logger.info({ config: describeConfig(config, schema) }, `${entry.name} starting`);
  try {
    const [{ startService }, parts] = await Promise.all([import('./run-service.js'), entry.load()]);
    const app = await startService({ name: entry.name, config, logger }, parts);
    process.once('exit', () => void telemetry.shutdown());
    void app;
  } catch (err) {
    logger.fatal({ err }, `${entry.name} failed to start`);
    await telemetry.shutdown();
    process.exit(1);
  }
}
