export { ConfigError, type ConfigIssue } from './config.error.js';
export { EXIT_CONFIG, loadConfigOrExit, type LoadConfigOrExitOptions } from './config.exit.js';
export {
  LOG_LEVELS,
  databaseConfig,
  httpConfig,
  logConfig,
  natsConfig,
  otelConfig,
  redisConfig,
  s3Config,
  type LogLevel,
} from './config-fragments.schema.js';
export { loadConfig, type LoadConfigOptions } from './config.loader.js';
export { describeConfig, redactConfig } from './config.redactor.js';
export { booleanValue, enumValue, intValue, portValue, urlListValue, urlValue } from './env-value.parsers.js';
export { envVar, type ConfigOf, type ConfigSchema, type EnvVar, type SecretKind } from './env-var.schema.js';
export {
  streamLimitsValue,
  type StreamLimitOverride,
  type StreamLimitOverrides,
} from './stream-limits.parser.js';
