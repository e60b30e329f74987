import { REDACTED, redactUrlCredentials } from './internal/redact-url.js';
import { schemaOfConfig } from './config.loader.js';
import { envVarsOf, type ConfigSchema, type SecretKind } from './env-var.schema.js';

/**
 * A copy of the config safe to log: secrets become `***`, and every URL's password (and
 * password-like query parameters) too. Works on a config from loadConfig, or pass its schema.
 */
export function redactConfig<T extends object>(config: T, schema?: ConfigSchema): T {
  const secrets = new Map<string, SecretKind>();
  for (const { path, envVar } of envVarsOf(requireSchema(config, schema))) {
    secrets.set(path.join('\0'), envVar.secret);
  }
  return redactNode(config, [], secrets) as T;
}

/**
 * Effective configuration by env var name (defaults included, secrets redacted), for the
 * start-up log line: `logger.info({ config: describeConfig(config) }, 'configuration loaded')`.
 */
export function describeConfig(config: object, schema?: ConfigSchema): Record<string, string | undefined> {
  const description: Record<string, string | undefined> = {};
  for (const { path, envVar } of envVarsOf(requireSchema(config, schema))) {
    const value = path.reduce<unknown>(
      (node, key) => (node as Record<string, unknown> | undefined)?.[key],
      config,
    );
    description[envVar.name] = describeValue(redactValue(value, envVar.secret));
  }
  return description;
}

function describeValue(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return value.map(describeValue).join(',');
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function requireSchema(config: object, schema: ConfigSchema | undefined): ConfigSchema {
  const found = schema ?? schemaOfConfig(config);
  if (!found) throw new TypeError('config was not created by loadConfig: pass its schema');
  return found;
}

function redactNode(
  node: unknown,
  path: readonly string[],
  secrets: ReadonlyMap<string, SecretKind>,
): unknown {
  const secret = secrets.get(path.join('\0'));
  if (secret !== undefined) return redactValue(node, secret);
  if (Array.isArray(node)) return node.map((item) => redactNode(item, path, secrets));
  if (node !== null && typeof node === 'object') {
    return Object.fromEntries(
      Object.entries(node).map(([k, v]) => [k, redactNode(v, [...path, k], secrets)]),
    );
  }
  return typeof node === 'string' ? redactUrlCredentials(node) : node;
}

function redactValue(value: unknown, secret: SecretKind): unknown {
  if (value === undefined) return undefined;
  if (secret === true) return REDACTED;
  if (Array.isArray(value)) return value.map((item) => redactValue(item, secret));
  return typeof value === 'string' ? redactUrlCredentials(value) : value;
}
