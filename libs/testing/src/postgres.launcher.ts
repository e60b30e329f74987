import { existsSync } from 'node:fs';
import { chown, mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { postgresBinDir, requireBinary } from './internal/binaries.js';
import { getFreePort } from './internal/free-port.js';
import { ServerProcess } from './internal/managed-process.js';
import { runTool, runToolRaw } from './internal/run-tool.js';
import { allowTraversal, chownTree, isRoot, lookupUser, type SystemUser } from './internal/system-user.js';
import { waitReady } from './internal/wait-ready.js';
import type { ServerHandle, ServerOptions } from './server-options.js';

export interface PostgresServerOptions extends ServerOptions {
  /** Directory of postgres/initdb/pg_isready; default /usr/lib/postgresql/15/bin (else the newest installed). */
  binDir?: string;
  /** Extra `-c name=value` settings. */
  settings?: Readonly<Record<string, string>>;
}

export interface PostgresServerHandle extends ServerHandle {
  /** postgres://postgres@127.0.0.1:PORT/postgres (trust authentication on loopback). */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly database: string;
  /** PGDATA (`<dataDir>/pgdata`). */
  readonly pgdata: string;
}

const SUPERUSER = 'postgres';

/** Settings for throw-away test clusters: no fsync, no WAL safety — fast, and lost on a crash. */
export const TEST_TUNING: Readonly<Record<string, string>> = {
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
};

/** The postgres command line (pure; the unit tests check it). */
export function postgresArgs(
  pgdata: string,
  port: number,
  persistent: boolean,
  extra: Readonly<Record<string, string>> = {},
): string[] {
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    port: String(port),
    // Unix sockets are off: paths are length-limited and every client here uses TCP.
    unix_socket_directories: '',
    max_connections: '200',
    ...(persistent ? {} : TEST_TUNING),
    ...extra,
  };
  return ['-D', pgdata, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
}

/**
 * PostgreSQL in the foreground (`postgres -D`, no pg_ctl). As root, initdb and the server run as
 * the `postgres` user (PostgreSQL refuses root) and the data dir is chowned to it.
 */
export async function startPostgres(options: PostgresServerOptions): Promise<PostgresServerHandle> {
  const binDir = options.binDir ?? postgresBinDir();
  const postgres = requireBinary('postgres', [binDir]);
  const initdb = requireBinary('initdb', [binDir]);
  const pgIsReady = requireBinary('pg_isready', [binDir]);
  const persistent = options.persistent ?? false;
  const pgdata = join(options.dataDir, 'pgdata');
  const logFile = join(options.dataDir, 'postgres.log');
  await mkdir(options.dataDir, { recursive: true });
  await writeFile(logFile, '', { flag: 'a' });

  let runAs: SystemUser | undefined;
  if (isRoot()) {
    runAs = await lookupUser(SUPERUSER);
    if (!runAs)
      throw new Error(
        `running as root, PostgreSQL needs the "${SUPERUSER}" user; run: sudo bash scripts/setup.sh`,
      );
    await allowTraversal(options.dataDir);
    // A data dir initialised as the postgres user already belongs to it; walk the tree only once.
    const initialised = existsSync(join(pgdata, 'PG_VERSION')) && (await stat(pgdata)).uid === runAs.uid;
    await (initialised
      ? chown(logFile, runAs.uid, runAs.gid)
      : chownTree(options.dataDir, runAs.uid, runAs.gid));
    await chown(options.dataDir, runAs.uid, runAs.gid);
  }
  const ids = runAs ? { uid: runAs.uid, gid: runAs.gid } : {};
  const env = {
    ...process.env,
    LC_ALL: 'C.UTF-8',
    HOME: runAs ? options.dataDir : (process.env['HOME'] ?? '/'),
  };

  if (!existsSync(join(pgdata, 'PG_VERSION'))) {
    const initArgs = ['-D', pgdata, '-U', SUPERUSER, '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8'];
    if (!persistent) initArgs.push('--no-sync');
    await runTool(initdb, initArgs, { ...ids, env, timeoutMs: 120_000 });
  }

  const port = options.port ?? (await getFreePort());
  const proc = await ServerProcess.start({
    name: 'postgres',
    command: postgres,
    args: postgresArgs(pgdata, port, persistent, options.settings),
    logFile,
    env,
    ...ids,
    stopSignal: 'SIGINT',
  });
  try {
    await waitReady(
      'postgres',
      async () => {
        const r = await runToolRaw(pgIsReady, [
          '-q',
          '-h',
          '127.0.0.1',
          '-p',
          String(port),
          '-U',
          SUPERUSER,
          '-d',
          'postgres',
          '-t',
          '2',
        ]);
        return r.code === 0;
      },
      { timeoutMs: options.startTimeoutMs ?? 30_000, intervalMs: 50, processes: [proc] },
    );
  } catch (err) {
    await proc.kill();
    throw err;
  }

  return {
    url: `postgres://${SUPERUSER}@127.0.0.1:${port}/postgres`,
    host: '127.0.0.1',
    port,
    user: SUPERUSER,
    database: 'postgres',
    pgdata,
    dataDir: options.dataDir,
    get pids() {
      return proc.exitInfo ? [] : [proc.pid];
    },
    async stop() {
      await proc.stop(options.stopTimeoutMs ?? 10_000);
    },
  };
}
