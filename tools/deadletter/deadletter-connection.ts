import { loadConfig, natsConfig } from '@muster/config';
import { BusConnection } from '@muster/messaging';

/**
 * The tool's one way to the bus: the MUSTER_NATS_* settings a service reads (URL, token and
 * whatever natsConfig() gains, such as credentials), and nothing else from the environment.
 */
export async function connectFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<BusConnection> {
  const natsEnv = Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('MUSTER_NATS_')));
  const { nats } = loadConfig({ nats: natsConfig() }, natsEnv);
  return BusConnection.connect({
    servers: nats.servers,
    ...(nats.token ? { token: nats.token } : {}),
    name: `deadletter-tool@${process.pid}`,
  });
}
