import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { requireBinary } from './internal/binaries.js';
import { getFreePorts } from './internal/free-port.js';
import { ServerProcess } from './internal/managed-process.js';
import { httpStatus } from './internal/probes.js';
import { waitReady } from './internal/wait-ready.js';
import type { ServerHandle, ServerOptions } from './server-options.js';

export interface NatsServerOptions extends ServerOptions {
  /** HTTP monitoring port (healthz, varz); free by default. */
  monitorPort?: number;
}

export interface NatsServerHandle extends ServerHandle {
  /** nats://127.0.0.1:PORT */
  readonly url: string;
  /** http://127.0.0.1:MONPORT */
  readonly monitorUrl: string;
  readonly port: number;
  readonly monitorPort: number;
  /** JetStream's store directory (`-sd`). */
  readonly storeDir: string;
  /** Stops nats-server gracefully and starts it again on the same ports with the same JetStream store. */
  restart(): Promise<void>;
}

/** nats-server with JetStream, in the foreground, bound to 127.0.0.1 (ready in ~0.1 s). */
export async function startNats(options: NatsServerOptions): Promise<NatsServerHandle> {
  const binary = requireBinary('nats-server');
  const storeDir = join(options.dataDir, 'jetstream');
  await mkdir(storeDir, { recursive: true });
  const [port, monitorPort] = await pickPorts(options);
  const url = `nats://127.0.0.1:${port}`;
  const monitorUrl = `http://127.0.0.1:${monitorPort}`;
  const args = ['-a', '127.0.0.1', '-p', String(port), '-m', String(monitorPort), '-js', '-sd', storeDir];
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
