import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Where the CLI sends its requests and the API token it sends. */
export interface CliConfig {
  url: string;
  token: string;
  /** Where each setting came from, for `--verbose` and error messages. */
  from: { url: string; token: string };
}

/** What the resolution reads; a test passes its own. */
export interface ConfigSources {
  flags: { url?: string | undefined; token?: string | undefined };
  env: Readonly<Record<string, string | undefined>>;
  /** The user's home directory (for `~/.config/muster/config.json`). */
  home: string;
  cwd: string;
  readFile?: (path: string) => string | undefined;
}

/** The base URL of `npm start`'s one address. */
export const LOCAL_URL = 'http://127.0.0.1:8080';

export class ConfigResolutionError extends Error {
  override readonly name = 'ConfigResolutionError';
}

export const NO_TOKEN_HELP = [
  'no API token. Give one with --token or MUSTER_TOKEN, or write {"url": "…", "token": "…"} to',
  '~/.config/muster/config.json. In a clone of the repository, `npm start` creates a local operator',
  'token in .muster/operator.json and the CLI finds it; with a token, `muster tokens create --name NAME`',
  'creates more (an administrator of a deployment hands them out).',
].join('\n');

interface FileConfig {
  url?: string;
  token?: string;
}

function readJson(path: string, read: (p: string) => string | undefined): FileConfig | undefined {
  const text = read(path);
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigResolutionError(`${path} is not JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigResolutionError(`${path} must hold a JSON object {"url": "…", "token": "…"}`);
  }
  const { url, token } = parsed as Record<string, unknown>;
  for (const [key, value] of Object.entries({ url, token })) {
    if (value !== undefined && typeof value !== 'string') {
      throw new ConfigResolutionError(`${path}: "${key}" must be a string`);
    }
  }
  return { ...(url ? { url: url as string } : {}), ...(token ? { token: token as string } : {}) };
}

function defaultRead(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

/** The local stack's file, looked for in the working directory and each of its parents. */
export function findLocalStackFile(cwd: string, read: (p: string) => string | undefined): string | undefined {
  for (let dir = cwd; ; dir = dirname(dir)) {
    const candidate = join(dir, '.muster', 'operator.json');
    if (read(candidate) !== undefined) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Each setting from the first place that has it: the flags (`--url`, `--token`), then
 * `MUSTER_URL` / `MUSTER_TOKEN`, then `~/.config/muster/config.json` (`$XDG_CONFIG_HOME` if set),
 * then `.muster/operator.json` of the local stack found by walking up from the working
 * directory. The URL defaults to the local stack's address; a missing token is an error that
 * says how to get one.
 */
export function resolveConfig(sources: ConfigSources): CliConfig {
  const read = sources.readFile ?? defaultRead;
  const configHome = sources.env['XDG_CONFIG_HOME'] || join(sources.home, '.config');
  const userPath = join(configHome, 'muster', 'config.json');
  const stackPath = findLocalStackFile(sources.cwd, read);
  const layers: { name: string; values: FileConfig | undefined }[] = [
    { name: 'the command line', values: sources.flags },
    {
      name: 'the environment',
      values: {
        url: sources.env['MUSTER_URL'] || undefined,
        token: sources.env['MUSTER_TOKEN'] || undefined,
      },
    },
    { name: userPath, values: readJson(userPath, read) },
    ...(stackPath ? [{ name: stackPath, values: readJson(stackPath, read) }] : []),
  ];
  const pick = (key: keyof FileConfig) => {
    for (const layer of layers) {
      const value = layer.values?.[key];
      if (value) return { value, from: layer.name };
    }
    return undefined;
  };
  const token = pick('token');
  if (!token) throw new ConfigResolutionError(NO_TOKEN_HELP);
  const url = pick('url') ?? { value: LOCAL_URL, from: 'the default' };
  let parsed: URL;
  try {
    parsed = new URL(url.value);
  } catch {
    throw new ConfigResolutionError(`the URL ${JSON.stringify(url.value)} from ${url.from} is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigResolutionError(`the URL ${url.value} from ${url.from} must be http:// or https://`);
  }
  return {
    url: url.value.replace(/\/+$/, ''),
    token: token.value,
    from: { url: url.from, token: token.from },
  };
}
