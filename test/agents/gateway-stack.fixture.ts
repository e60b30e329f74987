import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { streams } from '@muster/contracts';
import { BusConnection } from '@muster/messaging';
import { testOperatorToken } from '@muster/runtime/testing';
import { getFreePort, type ServerEndpoints } from '@muster/testing';
import { startServiceProcess, type ServiceProcess } from '../../tools/stack/service-process.js';
import { startInventoryStandIn } from './simulator/inventory-stand-in.fixture.js';

/**
 * agent-gateway instances as real processes (so that one can be SIGKILLed: no goodbye, no
 * flush, sockets torn down by the kernel) sharing one database schema and one bus, with the
 * stand-in for inventory's bindAgent answer, for the fault tests.
 */
export interface GatewayStack {
  readonly bus: BusConnection;
  readonly gateways: ServiceProcess[];
  readonly siteId: string;
  /** An operator API token the gateways accept. */
  readonly operatorToken: string;
  /** The command-signing key ring the gateways were given. */
  readonly keyRing: string;
  /** Starts instance `index` again (same port, same instance id) after it was stopped. */
  restart(index: number): Promise<ServiceProcess>;
  logs(): Promise<string>;
  close(): Promise<void>;
}

export async function startGatewayStack(servers: ServerEndpoints, instances: number): Promise<GatewayStack> {
  const dir = await mkdtemp(join(tmpdir(), 'muster-agents-'));
  const bus = await BusConnection.connect({ servers: [servers.nats.url], name: 'test-agents', streams });
  const binder = startInventoryStandIn(bus);
  const schema = `agw_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const keyRing = `test-${randomBytes(3).toString('hex')}:${randomBytes(32).toString('base64')}`;
  const ports = await Promise.all(Array.from({ length: instances }, () => getFreePort()));
  const start = (i: number) =>
    startServiceProcess(
      'agent-gateway',
      ports[i]!,
      {
        MUSTER_NATS_URL: servers.nats.url,
        MUSTER_DATABASE_URL: servers.postgres.url,
        MUSTER_DATABASE_SCHEMA: schema,
        MUSTER_COMMAND_SIGNING_KEYS: keyRing,
        MUSTER_GATEWAY_INSTANCE_ID: `gw-${i}`,
        MUSTER_LOG_LEVEL: process.env.AGENTS_LOG_LEVEL ?? 'warn',
      },
      dir,
    );
  const gateways: ServiceProcess[] = [];
  // One at a time: the first runs the migrations, the others find them done.
  for (let i = 0; i < instances; i++) {
    gateways.push(start(i));
    await gateways[i]!.waitReady(90_000);
  }
  return {
    bus,
    gateways,
    siteId: `site-${randomUUID().slice(0, 8)}`,
    operatorToken: await testOperatorToken(servers.nats.url),
    keyRing,
    async restart(index) {
      const g = start(index);
      gateways[index] = g;
      await g.waitReady(90_000);
      return g;
    },
    logs: async () =>
      (await Promise.all(gateways.map(async (g) => `--- ${g.url}\n${await g.log()}`))).join('\n'),
    async close() {
      await Promise.allSettled(gateways.map((g) => g.stop('SIGTERM', 10_000)));
      binder.stop();
      await bus.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
