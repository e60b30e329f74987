import { describe, expect, it } from 'vitest';

import { httpConfig } from './config-fragments.schema.js';
import { EXIT_CONFIG, loadConfigOrExit } from './config.exit.js';

class Exited extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

describe('loadConfigOrExit', () => {
  it('prints every bad key to stderr and exits with EX_CONFIG', () => {
    let printed = '';
    const run = () =>
      loadConfigOrExit(
        { http: httpConfig() },
        {
          service: 'inventory',
          env: { MUSTER_HTTP_HOST: 'h', MUSTER_HTTP_PORTT: '1' },
          exit: (code) => {
            throw new Exited(code);
          },
          writeError: (text) => {
            printed += text;
          },
        },
      );
    expect(run).toThrow(new Exited(EXIT_CONFIG));
    expect(EXIT_CONFIG).toBe(78);
    expect(printed).toBe(
      'inventory: refusing to start, invalid configuration (2 problems):\n' +
        '  MUSTER_HTTP_PORT: required but not set\n' +
        '  MUSTER_HTTP_PORTT: unknown variable, not used by this service (did you mean MUSTER_HTTP_PORT?)\n',
    );
  });

  it('returns the config when it is valid', () => {
    const config = loadConfigOrExit(
      { http: httpConfig() },
      { service: 'inventory', env: { MUSTER_HTTP_PORT: '0' }, exit: () => process.exit(1) },
    );
    expect(config.http).toMatchObject({ host: '127.0.0.1', port: 0 });
  });
});
