import { TokenIssuer } from '@muster/api-auth';
import { streams } from '@muster/contracts';
import { BusConnection } from '@muster/messaging';

const issued = new Map<string, Promise<string>>();

/**
 * An operator API token in the API_TOKENS bucket of the bus at `servers` (created with the
 * bucket if missing, as the api service would), one per bus and test process. The test
 * servers let a client without credentials in as the bus administrator.
 */
export function testOperatorToken(servers: string | readonly string[]): Promise<string> {
  const list = typeof servers === 'string' ? servers.split(',') : [...servers];
  const key = list.join(',');
  let token = issued.get(key);
  if (!token) {
    token = issue(list);
    issued.set(key, token);
    token.catch(() => issued.delete(key));
  }
  return token;
}

async function issue(servers: string[]): Promise<string> {
  const bus = await BusConnection.connect({
    servers,
    name: 'test-operator-token',
    streams: streams.filter((s) => s.name === 'KV_API_TOKENS'),
    failFast: true,
  });
  try {
    const { token } = await new TokenIssuer(bus).create({
      name: 'test-operator',
      createdBy: 'test',
      expiresAt: null,
    });
    return token;
  } finally {
    await bus.close();
  }
}
