import type { z } from 'zod';

/**
 * How a value is kept out of logs and error messages:
 * - `true`: the whole value is a secret and shows as `***`;
 * - `'url-password'`: the value is a URL (or a list of URLs) whose password, and password-like
 *   query parameters, are secret; host, port and path stay visible.
 * Secret values are never echoed in a ConfigError.
 */
export type SecretKind = boolean | 'url-password';

/** One environment variable: its name, how its text is parsed, whether it is secret. */
export interface EnvVar<T = unknown> {
  readonly kind: 'env-var';
  readonly name: string;
  readonly schema: z.ZodType<T>;
  readonly secret: SecretKind;
}

/** A tree whose leaves are env vars; the loaded config has the same shape with parsed values. */
export interface ConfigSchema {
  readonly [key: string]: EnvVar | ConfigSchema;
}

export type ConfigOf<S extends ConfigSchema> = {
  readonly [K in keyof S]: S[K] extends EnvVar<infer T>
    ? T
    : S[K] extends ConfigSchema
      ? ConfigOf<S[K]>
      : never;
};

export const ENV_PREFIX = 'MUSTER_';
const ENV_NAME = /^MUSTER_[A-Z0-9]+(?:_[A-Z0-9]+)*$/;

/**
 * Declares an env var. The schema receives the raw text, or `undefined` when the variable is
 * unset or empty; give it `.default(…)` or `.optional()` unless the variable is required.
 */
export function envVar<S extends z.ZodType>(
  name: string,
  schema: S,
  options: { secret?: SecretKind } = {},
): EnvVar<z.output<S>> {
  if (!ENV_NAME.test(name)) {
    throw new TypeError(`env var name ${JSON.stringify(name)} must match ${ENV_NAME.source}`);
  }
  const parser = schema as z.ZodType<z.output<S>>;
  return Object.freeze({ kind: 'env-var', name, schema: parser, secret: options.secret ?? false });
}

export function isEnvVar(node: EnvVar | ConfigSchema): node is EnvVar {
  return (node as EnvVar).kind === 'env-var' && typeof (node as EnvVar).name === 'string';
}

/** Every leaf of a schema with its path in the config object. */
export function envVarsOf(
  schema: ConfigSchema,
  path: readonly string[] = [],
): { path: string[]; envVar: EnvVar }[] {
  return Object.entries(schema).flatMap(([key, node]) =>
    isEnvVar(node) ? [{ path: [...path, key], envVar: node }] : envVarsOf(node, [...path, key]),
  );
}
