import { renderAuthorization, type BusCredentials } from '@muster/bus-auth';

/**
 * JetStream's store limits. Every stream reserves its `max_bytes` when it is created (about
 * 10 GiB of file store and 256 MiB of memory for one set of Muster's streams) and the server
 * refuses a stream beyond its limit, so the limits are set well above one set: a reservation,
 * not disk or memory in use. Tests that add streams of their own stay within it.
 */
export const JETSTREAM_MAX_FILE_STORE = '64GB';
export const JETSTREAM_MAX_MEMORY_STORE = '2GB';

export interface NatsConfigOptions {
  port: number;
  monitorPort: number;
  storeDir: string;
  credentials: BusCredentials;
  /** `no_auth_user: admin`: a client without credentials gets full rights (test mode only). */
  anonymousAdmin: boolean;
}

/** The nats-server configuration file of the harness and the local stack. */
export function natsServerConfig(o: NatsConfigOptions): string {
  return [
    `listen: "127.0.0.1:${o.port}"`,
    `http: "127.0.0.1:${o.monitorPort}"`,
    'jetstream {',
    `  store_dir: ${JSON.stringify(o.storeDir)}`,
    `  max_file_store: ${JETSTREAM_MAX_FILE_STORE}`,
    `  max_memory_store: ${JETSTREAM_MAX_MEMORY_STORE}`,
    '}',
    renderAuthorization(o.credentials, o.anonymousAdmin ? { noAuthUser: 'admin' } : {}),
  ].join('\n');
}
