import { closestName } from './internal/closest-name.js';
import { redactUrlCredentials } from './internal/redact-url.js';
import { ConfigError, type ConfigIssue } from './config.error.js';
import { ENV_PREFIX, envVarsOf, type ConfigOf, type ConfigSchema, type EnvVar } from './env-var.schema.js';

export interface LoadConfigOptions {
  /** `MUSTER_*` names that may be set without being used (e.g. shared by a sidecar). */
  readonly allowUnknown?: readonly string[];
}

const loaded = new WeakMap<object, ConfigSchema>();

/** The schema a config object was loaded with, for redaction. */
export function schemaOfConfig(config: object): ConfigSchema | undefined {
  return loaded.get(config);
}

/**
 * Reads and validates the environment once. Throws a ConfigError listing every missing, invalid
 * or unknown `MUSTER_*` variable. An empty value counts as unset.
 */
export function loadConfig<S extends ConfigSchema>(
  schema: S,
  env: Readonly<Record<string, string | undefined>> = process.env,
  options: LoadConfigOptions = {},
): ConfigOf<S> {
  const leaves = envVarsOf(schema);
  const declared = new Set<string>();
  for (const { envVar } of leaves) {
    if (declared.has(envVar.name)) throw new TypeError(`config schema declares ${envVar.name} twice`);
    declared.add(envVar.name);
  }

  const issues: ConfigIssue[] = [];
  const config: Record<string, unknown> = {};
  for (const { path, envVar } of leaves) {
    const raw = env[envVar.name];
    const text = raw === undefined || raw === '' ? undefined : raw;
    const result = envVar.schema.safeParse(text);
    if (result.success) {
      setPath(config, path, result.data);
    } else {
      issues.push({ variable: envVar.name, message: describeFailure(envVar, text, result.error.issues) });
    }
  }

  const allowed = new Set(options.allowUnknown ?? []);
  for (const name of Object.keys(env).sort()) {
    if (!name.startsWith(ENV_PREFIX) || declared.has(name) || allowed.has(name)) continue;
    const suggestion = closestName(name, declared);
    issues.push({
      variable: name,
      message: `unknown variable, not used by this service${suggestion ? ` (did you mean ${suggestion}?)` : ''}`,
    });
  }

  if (issues.length > 0) throw new ConfigError(issues);
  const frozen = deepFreeze(config);
  loaded.set(frozen, schema);
  return frozen as ConfigOf<S>;
}

function describeFailure(
  envVar: EnvVar,
  text: string | undefined,
  issues: readonly { message: string }[],
): string {
  if (text === undefined) return 'required but not set';
  const reasons = [...new Set(issues.map((i) => i.message))].join('; ');
  if (envVar.secret !== false) return reasons;
  return `${reasons} (got ${JSON.stringify(redactUrlCredentials(text))})`;
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    node = (node[key] ??= {}) as Record<string, unknown>;
  }
  const last = path.at(-1);
  if (last !== undefined) node[last] = value;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
