import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { requireBinary } from './internal/binaries.js';
import { getFreePort } from './internal/free-port.js';
import { ServerProcess } from './internal/managed-process.js';
import { redisPing } from './internal/probes.js';
import { waitReady } from './internal/wait-ready.js';
import type { ServerHandle, ServerOptions } from './server-options.js';

export interface RedisServerHandle extends ServerHandle {
  /** redis://127.0.0.1:PORT */
  readonly url: string;
  readonly host: string;
  readonly port: number;
}

/** The redis-server command line (pure; the unit tests check it). */
export function redisArgs(dataDir: string, port: number, persistent: boolean): string[] {
  const durability = persistent
    ? ['--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '3600 1 300 100 60 10000']
    : ['--appendonly', 'no', '--save', ''];
  return [
    '--bind',
    '127.0.0.1',
    '--port',
    String(port),
    '--daemonize',
    'no',
    '--dir',
    dataDir,
    '--logfile',
    '',
    ...durability,
  ];
}

/** redis-server in the foreground on 127.0.0.1 (ready in ~0.03 s); no persistence unless `persistent`. */
export async function startRedis(options: ServerOptions): Promise<RedisServerHandle> {
  const binary = requireBinary('redis-server');
  await mkdir(options.dataDir, { recursive: true });
  const port = options.port ?? (await getFreePort());
  const proc = await ServerProcess.start({
    name: 'redis-server',
    command: binary,
    args: redisArgs(options.dataDir, port, options.persistent ?? false),
    logFile: join(options.dataDir, 'redis-server.log'),
    cwd: options.dataDir,
  });
  try {
    await waitReady('redis-server', () => redisPing('127.0.0.1', port), {
      timeoutMs: options.startTimeoutMs ?? 30_000,
      processes: [proc],
    });
  } catch (err) {
    await proc.kill();
    throw err;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    dataDir: options.dataDir,
    get pids() {
      return proc.exitInfo ? [] : [proc.pid];
    },
    async stop() {
      await proc.stop(options.stopTimeoutMs ?? 10_000);
    },
  };
}
