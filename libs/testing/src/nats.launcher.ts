import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createBusCredentials, type BusCredentials } from '@muster/bus-auth';
import { serviceNames, type ServiceName } from '@muster/contracts';
import { natsServerConfig } from './nats-config.js';
import { requireBinary } from './internal/binaries.js';
import { getFreePorts } from './internal/free-port.js';
import { ServerProcess } from './internal/managed-process.js';
import { httpStatus } from './internal/probes.js';
import { waitReady } from './internal/wait-ready.js';
import type { ServerHandle, ServerOptions } from './server-options.js';

export interface NatsServerOptions extends ServerOptions {
  /** HTTP monitoring port (healthz, varz); free by default. */
  monitorPort?: number;
  /**
   * The services' nkey users and the administrator (the local stack keeps them under its home);
   * fresh ones when omitted.
   */
  credentials?: BusCredentials;
  /**
   * A client without credentials is the administrator (full rights): test set-up code connects
   * as before, while a service logs in as its own user. Default: on in test mode, off in
   * persistent mode (the local stack), where every client must log in.
   */
  anonymousAdmin?: boolean;
}

export interface NatsServerHandle extends ServerHandle {
  /** nats://127.0.0.1:PORT */
  readonly url: string;
  /** http://127.0.0.1:MONPORT */
  readonly monitorUrl: string;
  readonly port: number;
  readonly monitorPort: number;
  /** JetStream's store directory. */
  readonly storeDir: string;
  /** The users the server admits: one nkey user per service (seeds here) and the administrator. */
  readonly credentials: BusCredentials;
  /** The configuration file nats-server runs with (authorization and JetStream limits). */
  readonly configFile: string;
  /** Stops nats-server gracefully and starts it again on the same ports with the same JetStream store. */
  restart(): Promise<void>;
}

/**
 * nats-server with JetStream, in the foreground, bound to 127.0.0.1 (ready in ~0.1 s), with
 * every service's NATS user and its least-privilege permissions (`@muster/bus-auth`).
 */
export async function startNats(options: NatsServerOptions): Promise<NatsServerHandle> {
  const binary = requireBinary('nats-server');
  const storeDir = join(options.dataDir, 'jetstream');
  await mkdir(storeDir, { recursive: true });
  const [port, monitorPort] = await pickPorts(options);
  const url = `nats://127.0.0.1:${port}`;
  const monitorUrl = `http://127.0.0.1:${monitorPort}`;
  const credentials = options.credentials ?? createBusCredentials();
  const configFile = join(options.dataDir, 'nats-server.conf');
  const config = natsServerConfig({
    port,
    monitorPort,
    storeDir,
    credentials,
    anonymousAdmin: options.anonymousAdmin ?? !options.persistent,
  });
  // It holds the administrator's password.
  await writeFile(configFile, config, { mode: 0o600 });
  await chmod(configFile, 0o600);
  const args = ['-c', configFile];
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  const stopTimeoutMs = options.stopTimeoutMs ?? 10_000;

  const launch = async (): Promise<ServerProcess> => {
    const proc = await ServerProcess.start({
      name: 'nats-server',
      command: binary,
      args,
      logFile: join(options.dataDir, 'nats-server.log'),
    });
    try {
      await waitReady(
        'nats-server',
        async () => (await httpStatus(`${monitorUrl}/healthz?js-enabled-only=true`)) === 200,
        { timeoutMs, processes: [proc] },
      );
    } catch (err) {
      await proc.kill();
      throw err;
    }
    return proc;
  };

  let proc = await launch();
  let stopped = false;
  return {
    url,
    monitorUrl,
    port,
    monitorPort,
    storeDir,
    credentials,
    configFile,
    dataDir: options.dataDir,
    get pids() {
      return stopped ? [] : [proc.pid];
    },
    async restart() {
      if (stopped) throw new Error('nats-server was stopped; start a new one instead of restarting it');
      await proc.stop(stopTimeoutMs);
      proc = await launch();
    },
    async stop() {
      stopped = true;
      await proc.stop(stopTimeoutMs);
    },
  };
}

async function pickPorts(options: NatsServerOptions): Promise<[number, number]> {
  const [a, b] = await getFreePorts(2);
  if (a === undefined || b === undefined) throw new Error('no free ports');
  const port = options.port ?? a;
  return [port, options.monitorPort ?? (port === a ? b : a)];
}

/** Each service's seed (MUSTER_NATS_NKEY_SEED), by service name. */
export function serviceSeeds(credentials: BusCredentials): Record<ServiceName, string> {
  return Object.fromEntries(serviceNames.map((s) => [s, credentials.services[s].seed])) as Record<
    ServiceName,
    string
  >;
}
