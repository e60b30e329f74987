import { describe, expect, it } from 'vitest';
import {
  ConfigResolutionError,
  findLocalStackFile,
  LOCAL_URL,
  NO_TOKEN_HELP,
  resolveConfig,
} from './cli-config.js';

function files(map: Record<string, string>) {
  return (path: string) => map[path];
}

const base = { flags: {}, env: {}, home: '/home/op', cwd: '/work/repo/services/api' };

describe('resolveConfig', () => {
  it('takes each setting from the first place that has it: flags, environment, user file, local stack', () => {
    const read = files({
      '/home/op/.config/muster/config.json': JSON.stringify({
        url: 'https://muster.example',
        token: 'user-token',
      }),
      '/work/repo/.muster/operator.json': JSON.stringify({
        url: 'http://127.0.0.1:8080',
        token: 'stack-token',
      }),
    });
    expect(resolveConfig({ ...base, readFile: read })).toMatchObject({
      url: 'https://muster.example',
      token: 'user-token',
    });
    expect(resolveConfig({ ...base, env: { MUSTER_TOKEN: 'env-token' }, readFile: read })).toMatchObject({
      url: 'https://muster.example',
      token: 'env-token',
      from: { token: 'the environment' },
    });
    expect(
      resolveConfig({
        ...base,
        flags: { url: 'http://x:1/', token: 'flag' },
        env: { MUSTER_TOKEN: 'env' },
        readFile: read,
      }),
    ).toMatchObject({ url: 'http://x:1', token: 'flag' });
  });

  it('finds the local stack’s operator.json by walking up from the working directory', () => {
    const read = files({
      '/work/repo/.muster/operator.json': JSON.stringify({ url: 'http://127.0.0.1:8180', token: 't' }),
    });
    expect(resolveConfig({ ...base, readFile: read })).toMatchObject({
      url: 'http://127.0.0.1:8180',
      token: 't',
      from: { token: '/work/repo/.muster/operator.json' },
    });
    expect(findLocalStackFile('/elsewhere/deep/dir', read)).toBeUndefined();
  });

  it('honours XDG_CONFIG_HOME and defaults the URL to the local stack', () => {
    const read = files({ '/xdg/muster/config.json': JSON.stringify({ token: 'xdg' }) });
    expect(resolveConfig({ ...base, env: { XDG_CONFIG_HOME: '/xdg' }, readFile: read })).toMatchObject({
      url: LOCAL_URL,
      token: 'xdg',
    });
  });

  it('says how to get a token when there is none, and names a broken file', () => {
    expect(() => resolveConfig({ ...base, readFile: files({}) })).toThrow(NO_TOKEN_HELP);
    expect(() =>
      resolveConfig({ ...base, readFile: files({ '/home/op/.config/muster/config.json': '{nope' }) }),
    ).toThrow(/config\.json is not JSON/);
    expect(() =>
      resolveConfig({ ...base, readFile: files({ '/home/op/.config/muster/config.json': '{"token": 5}' }) }),
    ).toThrow(ConfigResolutionError);
    expect(() =>
      resolveConfig({ ...base, flags: { token: 't', url: 'ftp://x' }, readFile: files({}) }),
    ).toThrow(/must be http/);
  });
});
