import { loadConfig, natsConfig, redactConfig } from '@muster/config';
import { BusConnection } from '@muster/messaging';

/**
 * An operator tool's one way to the bus: the MUSTER_NATS_* settings a service reads, and
 * nothing else from the environment. It needs a user with the tool's rights (the dead letters
 * of every consumer; the API_TOKENS bucket): the bus's admin user
 * (`nats://admin:PASSWORD@host:4222`, from `npm run bus:credentials`), or an nkey seed with
 * those rights in MUSTER_NATS_NKEY_SEED.
 */
export async function connectFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  tool = 'deadletter-tool',
): Promise<BusConnection> {
  const natsEnv = Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('MUSTER_NATS_')));
  const config = loadConfig({ nats: natsConfig() }, natsEnv);
  const { nats } = config;
  try {
    return await BusConnection.connect({
      servers: nats.servers,
      ...(nats.nkeySeed ? { nkeySeed: nats.nkeySeed } : {}),
      name: `${tool}@${process.pid}`,
      // An operator waiting at a prompt wants an error naming the server, not a hang.
      failFast: true,
    });
  } catch (err) {
    // The configuration's own redaction: a URL's password never reaches the terminal.
    const where = redactConfig(config).nats.servers.join(', ');
    throw new Error(`cannot reach NATS at ${where}: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
}
