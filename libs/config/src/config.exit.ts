import { ConfigError } from './config.error.js';
import { loadConfig, type LoadConfigOptions } from './config.loader.js';
import type { ConfigOf, ConfigSchema } from './env-var.schema.js';

/** EX_CONFIG from sysexits.h: the configuration is wrong. */
export const EXIT_CONFIG = 78;

export interface LoadConfigOrExitOptions extends LoadConfigOptions {
  readonly service: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** For tests; default process.exit. */
  readonly exit?: (code: number) => never;
  /** For tests; default writes to stderr. */
  readonly writeError?: (text: string) => void;
}

/** For main.ts: on a ConfigError, print every problem to stderr and exit with 78. */
export function loadConfigOrExit<S extends ConfigSchema>(
  schema: S,
  options: LoadConfigOrExitOptions,
): ConfigOf<S> {
  const {
    service,
    env = process.env,
    exit = (code: number) => process.exit(code),
    writeError = (text: string) => void process.stderr.write(text),
  } = options;
  try {
    return loadConfig(schema, env, options);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    writeError(`${service}: refusing to start, ${err.message}\n`);
    return exit(EXIT_CONFIG);
  }
}
