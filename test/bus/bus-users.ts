import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  busManifests,
  inboxPrefix,
  manifestStreams,
  streams,
  type MessageContract,
  type ServiceName,
} from '@muster/contracts';
import { BusConnection, type BusOptions } from '@muster/messaging';
import { startNats, type NatsServerHandle } from '@muster/testing';

/** A nats-server of the test's own with every service's user, and an administrator connection. */
export async function busWithUsers(): Promise<{
  server: NatsServerHandle;
  admin: BusConnection;
  close: () => Promise<void>;
}> {
  const dir = await mkdtemp(join(tmpdir(), 'muster-perms-'));
  const server = await startNats({ dataDir: dir });
  // No credentials: the harness admits an anonymous client as the administrator (test set-up).
  const admin = await BusConnection.connect({ servers: [server.url], name: 'admin' });
  return {
    server,
    admin,
    close: async () => {
      await admin.close();
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A connection as the service's own NATS user, set up as the service sets it up. */
export async function connectAs(
  server: NatsServerHandle,
  service: ServiceName,
  options: Partial<BusOptions> = {},
): Promise<{ bus: BusConnection; violations: string[] }> {
  const { owned, read } = manifestStreams(busManifests[service]);
  const bus = await BusConnection.connect({
    servers: [server.url],
    name: `${service}-test`,
    nkeySeed: server.credentials.services[service].seed,
    inboxPrefix: inboxPrefix(service),
    streams: owned,
    awaitStreams: read,
    ...options,
  });
  const violations: string[] = [];
  void (async () => {
    for await (const s of bus.nc.status()) {
      if (s.type === 'error' && /Permissions Violation/.test(String(s.error)))
        violations.push(String(s.error));
    }
  })();
  return { bus, violations };
}

/** Every stream of the catalogue, created by the administrator. */
export const allStreams = streams;

/** A concrete subject of the contract, every id token filled. */
export function sampleSubject(contract: MessageContract, id = 'x1'): string {
  return contract.subject(Object.fromEntries(contract.tokens.map((t) => [t, id])));
}

/** Resolves with the error a refused request rejects with; fails if it was not refused. */
export async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected the server to refuse, but it allowed it');
}
